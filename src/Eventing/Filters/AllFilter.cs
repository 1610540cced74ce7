using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's <c>all</c> dialect: the conjunction of its filters, stopping at the first <see cref="FilterResult.Fail"/>.
/// With no filters, or only filters answering <see cref="FilterResult.NoFilter"/>, it answers NoFilter.
/// </summary>
public sealed class AllFilter : IEventFilter
{
    private readonly IEventFilter[] _filters;

    public AllFilter(IEnumerable<IEventFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        _filters = [.. filters];
        if (Array.IndexOf(_filters, null) >= 0)
        {
            throw new ArgumentException("The all filter contains a null filter.");
        }
    }

    public IReadOnlyList<IEventFilter> Filters => _filters;

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        var result = FilterResult.NoFilter;
        foreach (var filter in _filters)
        {
            result = result.And(filter.Filter(cloudEvent));
            if (result == FilterResult.Fail)
            {
                return FilterResult.Fail;
            }
        }

        return result;
    }
}
