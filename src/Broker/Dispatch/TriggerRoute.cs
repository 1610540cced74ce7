using Skylark.Events.Broker.Delivery;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>A Trigger ready to dispatch: its filter, queue, resolved subscriber and delivery rules.</summary>
internal sealed class TriggerRoute
{
    public TriggerRoute(
        TriggerResource resource,
        IEventFilter filter,
        Uri subscriber,
        RetryPolicy retry,
        Uri? deadLetterSink,
        int queueCapacity,
        string? subscriberAudience = null,
        string? deadLetterAudience = null)
    {
        SubscriberAudience = subscriberAudience;
        DeadLetterAudience = deadLetterAudience;
        Identity = Ingress.IngressSenderCheck.TriggerSubject(resource);
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

    /// <summary>The subscriber's <c>audience</c>: deliveries to it carry a token for it; null: no token, as in Knative.</summary>
    public string? SubscriberAudience { get; }

    /// <summary>The dead letter sink's <c>audience</c>, as <see cref="SubscriberAudience"/>.</summary>
    public string? DeadLetterAudience { get; }

    /// <summary>The OIDC subject Knative gives this Trigger, which its deliveries and its subscriber's replies are sent as.</summary>
    public string Identity { get; }

    public TriggerQueue Queue { get; }
}
