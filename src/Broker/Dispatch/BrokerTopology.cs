using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// The Brokers this process serves and the Triggers of each, built once from the eventing model: filters are
/// created, destinations resolved, and each Trigger's DeliverySpec (or else its Broker's) turned into rules.
/// </summary>
internal sealed class BrokerTopology
{
    private readonly Dictionary<(string Namespace, string Name), BrokerRoute> brokers = [];

    public BrokerTopology(IOptions<BrokerOptions> options, BrokerMetrics metrics, ILogger<BrokerTopology> logger)
    {
        var settings = options.Value;
        settings.Validate();
        var resolver = new DestinationResolver(settings.Services);

        foreach (var broker in settings.Model.Brokers)
        {
            var key = (broker.Meta.Namespace, broker.Meta.Name);
            var triggers = settings.Model.Triggers
                .Where(t => t.Meta.Namespace == broker.Meta.Namespace && t.Broker == broker.Meta.Name)
                .Select(t => CreateRoute(t, broker, resolver, settings))
                .ToList();
            brokers[key] = new BrokerRoute(broker, triggers);
        }

        foreach (var orphan in settings.Model.Triggers.Where(t => !brokers.ContainsKey((t.Meta.Namespace, t.Broker))))
        {
            logger.LogWarning(
                "Trigger {Trigger} names broker {Broker} which does not exist in namespace {Namespace}; it receives nothing ({Origin})",
                orphan.Meta.Name, orphan.Broker, orphan.Meta.Namespace, orphan.Origin);
        }

        All = [.. brokers.Values];
        metrics.ObserveWaiting(() => Triggers.Select(t => new Measurement<int>(
            t.Queue.Waiting,
            new KeyValuePair<string, object?>("kn.broker.namespace", t.Resource.Meta.Namespace),
            new KeyValuePair<string, object?>("kn.broker.name", t.Resource.Broker),
            new KeyValuePair<string, object?>("kn.trigger.name", t.Resource.Meta.Name))));
    }

    public IReadOnlyList<BrokerRoute> All { get; }

    public IEnumerable<TriggerRoute> Triggers => All.SelectMany(b => b.Triggers);

    public bool TryGet(string @namespace, string name, out BrokerRoute broker) =>
        brokers.TryGetValue((@namespace, name), out broker!);

    private static TriggerRoute CreateRoute(TriggerResource trigger, BrokerResource broker, DestinationResolver resolver, BrokerOptions settings)
    {
        // Knative: a Trigger's delivery replaces its Broker's as a whole, never field by field.
        var delivery = trigger.Delivery ?? broker.Delivery;
        var ns = trigger.Meta.Namespace;
        return new TriggerRoute(
            trigger,
            settings.FilterFactory(trigger),
            resolver.Resolve(trigger.Subscriber, ns),
            RetryPolicy.From(delivery),
            delivery?.DeadLetterSink is { } sink ? resolver.Resolve(sink, ns) : null,
            settings.QueueCapacity,
            trigger.Subscriber.Audience,
            delivery?.DeadLetterSink?.Audience);
    }
}
