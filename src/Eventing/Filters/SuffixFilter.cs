using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>Knative's <c>suffix</c> dialect: every listed attribute must be present and end with its value (ordinal).</summary>
public sealed class SuffixFilter : IEventFilter
{
    private readonly KeyValuePair<string, string>[] _filters;

    /// <exception cref="ArgumentException">An attribute name or suffix is empty.</exception>
    public SuffixFilter(IReadOnlyDictionary<string, string> filters) =>
        _filters = AttributeValueFilters.Freeze(filters, "suffix");

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        if (_filters.Length == 0)
        {
            return FilterResult.NoFilter;
        }

        foreach (var (attribute, suffix) in _filters)
        {
            if (!EventAttributeLookup.TryGetCanonicalString(cloudEvent, attribute, out var actual)
                || !actual.EndsWith(suffix, StringComparison.Ordinal))
            {
                return FilterResult.Fail;
            }
        }

        return FilterResult.Pass;
    }
}
