using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Support;

/// <summary>Knative resources built in code, as the YAML loader would produce them.</summary>
public static class TestEventing
{
    public const string Namespace = "test";
    public const string BrokerName = "default";

    public static EventingModel Model(BrokerResource broker, params TriggerResource[] triggers) => new([broker], triggers, []);

    public static EventingModel Model(params TriggerResource[] triggers) => Model(Broker(), triggers);

    public static BrokerResource Broker(string name = BrokerName, DeliverySpec? delivery = null, string ns = Namespace) =>
        new(Meta(name, ns), delivery, Origin());

    public static TriggerResource Trigger(
        string name,
        Uri subscriber,
        IReadOnlyDictionary<string, string>? attributes = null,
        DeliverySpec? delivery = null,
        string broker = BrokerName,
        string ns = Namespace) =>
        Trigger(name, new Destination(null, subscriber), attributes, delivery, broker, ns);

    public static TriggerResource Trigger(
        string name,
        Destination subscriber,
        IReadOnlyDictionary<string, string>? attributes = null,
        DeliverySpec? delivery = null,
        string broker = BrokerName,
        string ns = Namespace) =>
        new(Meta(name, ns), broker, attributes, [], subscriber, delivery, Origin());

    public static DeliverySpec Delivery(
        int? retry = null,
        BackoffPolicy? backoffPolicy = null,
        TimeSpan? backoffDelay = null,
        Uri? deadLetterSink = null,
        TimeSpan? timeout = null,
        TimeSpan? retryAfterMax = null) =>
        new(deadLetterSink is null ? null : new Destination(null, deadLetterSink), retry, backoffPolicy, backoffDelay, timeout, retryAfterMax);

    public static Dictionary<string, string> Type(string type) => new() { ["type"] = type };

    private static ResourceMeta Meta(string name, string ns) =>
        new(name, ns, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static ResourceOrigin Origin() => new("test.yaml", 0);
}
