using Skylark.Events.Broker.Delivery;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>A Trigger ready to dispatch: its filter, queue, resolved subscriber and delivery rules.</summary>
internal sealed class TriggerRoute
{
    public TriggerRoute(TriggerResource resource, IEventFilter filter, Uri subscriber, RetryPolicy retry, Uri? deadLetterSink, int queueCapacity)
    {
        Resource = resource;
        Filter = filter;
        Subscriber = subscriber;
        Retry = retry;
        DeadLetterSink = deadLetterSink;
        Queue = new TriggerQueue(queueCapacity);
        Name = $"{resource.Meta.Namespace}/{resource.Meta.Name}";
    }

    /// <summary><c>namespace/name</c>, for logs and metrics.</summary>
    public string Name { get; }

    public TriggerResource Resource { get; }

    public IEventFilter Filter { get; }

    public Uri Subscriber { get; }

    public RetryPolicy Retry { get; }

    public Uri? DeadLetterSink { get; }

    public TriggerQueue Queue { get; }
}
