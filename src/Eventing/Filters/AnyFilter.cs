using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's <c>any</c> dialect: the disjunction of its filters, stopping at the first <see cref="FilterResult.Pass"/>.
/// With no filters, or only filters answering <see cref="FilterResult.NoFilter"/>, it answers NoFilter.
/// </summary>
public sealed class AnyFilter : IEventFilter
{
    private readonly IEventFilter[] _filters;

    public AnyFilter(IEnumerable<IEventFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        _filters = [.. filters];
        if (Array.IndexOf(_filters, null) >= 0)
        {
            throw new ArgumentException("The any filter contains a null filter.");
        }
    }

    public IReadOnlyList<IEventFilter> Filters => _filters;

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        var result = FilterResult.NoFilter;
        foreach (var filter in _filters)
        {
            result = result.Or(filter.Filter(cloudEvent));
            if (result == FilterResult.Pass)
            {
                return FilterResult.Pass;
            }
        }

        return result;
    }
}
