using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's <c>exact</c> dialect: every listed attribute must be present and equal (ordinal, case-sensitive) to its value.
/// </summary>
public sealed class ExactFilter : IEventFilter
{
    private readonly KeyValuePair<string, string>[] _filters;

    /// <exception cref="ArgumentException">An attribute name or value is empty.</exception>
    public ExactFilter(IReadOnlyDictionary<string, string> filters) =>
        _filters = AttributeValueFilters.Freeze(filters, "exact");

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        if (_filters.Length == 0)
        {
            return FilterResult.NoFilter;
        }

        foreach (var (attribute, expected) in _filters)
        {
            if (!EventAttributeLookup.TryGetCanonicalString(cloudEvent, attribute, out var actual)
                || !string.Equals(actual, expected, StringComparison.Ordinal))
            {
                return FilterResult.Fail;
            }
        }

        return FilterResult.Pass;
    }
}
