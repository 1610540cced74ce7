using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's <c>not</c> dialect: swaps Pass and Fail; a filter with nothing to test stays <see cref="FilterResult.NoFilter"/>.
/// </summary>
public sealed class NotFilter(IEventFilter filter) : IEventFilter
{
    public IEventFilter Inner { get; } = filter ?? throw new ArgumentNullException(nameof(filter));

    public FilterResult Filter(CloudEvent cloudEvent) => Inner.Filter(cloudEvent) switch
    {
        FilterResult.Pass => FilterResult.Fail,
        FilterResult.Fail => FilterResult.Pass,
        _ => FilterResult.NoFilter,
    };
}
