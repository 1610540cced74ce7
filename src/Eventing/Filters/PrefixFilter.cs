using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>Knative's <c>prefix</c> dialect: every listed attribute must be present and start with its value (ordinal).</summary>
public sealed class PrefixFilter : IEventFilter
{
    private readonly KeyValuePair<string, string>[] _filters;

    /// <exception cref="ArgumentException">An attribute name or prefix is empty.</exception>
    public PrefixFilter(IReadOnlyDictionary<string, string> filters) =>
        _filters = AttributeValueFilters.Freeze(filters, "prefix");

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        if (_filters.Length == 0)
        {
            return FilterResult.NoFilter;
        }

        foreach (var (attribute, prefix) in _filters)
        {
            if (!EventAttributeLookup.TryGetCanonicalString(cloudEvent, attribute, out var actual)
                || !actual.StartsWith(prefix, StringComparison.Ordinal))
            {
                return FilterResult.Fail;
            }
        }

        return FilterResult.Pass;
    }
}
