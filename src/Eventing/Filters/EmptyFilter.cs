using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>Knative's <c>noFilter</c>: a trigger without filters tests nothing, so every event is delivered.</summary>
public sealed class EmptyFilter : IEventFilter
{
    public static readonly EmptyFilter Instance = new();

    private EmptyFilter()
    {
    }

    public FilterResult Filter(CloudEvent cloudEvent) => FilterResult.NoFilter;
}
