namespace Skylark.Events.Eventing.Resources;

/// <summary>Where a resource came from, so every validation error can name its file and YAML document (0-based).</summary>
public sealed record ResourceOrigin(string File, int Document)
{
    public override string ToString() => $"{File}#{Document}";
}

/// <summary>Knative <c>metadata</c>: what the broker needs of it.</summary>
public sealed record ResourceMeta(
    string Name,
    string Namespace,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations);

/// <summary>duckv1.KReference.</summary>
public sealed record KReference(string Kind, string Name, string? Namespace, string? ApiVersion);

/// <summary>duckv1.Destination: a <see cref="Ref"/>, a <see cref="Uri"/>, or a URI relative to the ref.</summary>
public sealed record Destination(KReference? Ref, Uri? Uri)
{
    /// <summary>
    /// The OIDC audience a sender's token must carry for this destination. Knative asks for it when the target (a
    /// plain Service, a URI) does not announce one itself; without it no token is sent.
    /// </summary>
    public string? Audience { get; init; }
}

public enum BackoffPolicy
{
    Exponential,
    Linear,
}

/// <summary>eventingduckv1.DeliverySpec. A trigger's spec replaces its broker's as a whole.</summary>
public sealed record DeliverySpec(
    Destination? DeadLetterSink,
    int? Retry,
    BackoffPolicy? BackoffPolicy,
    TimeSpan? BackoffDelay,
    TimeSpan? Timeout,
    TimeSpan? RetryAfterMax);

/// <summary>
/// One item of Trigger <c>spec.filters</c> (Knative's SubscriptionsAPIFilter): exactly one dialect is set.
/// </summary>
public sealed record SubscriptionsApiFilter(
    IReadOnlyDictionary<string, string>? Exact = null,
    IReadOnlyDictionary<string, string>? Prefix = null,
    IReadOnlyDictionary<string, string>? Suffix = null,
    IReadOnlyList<SubscriptionsApiFilter>? All = null,
    IReadOnlyList<SubscriptionsApiFilter>? Any = null,
    SubscriptionsApiFilter? Not = null,
    string? Cesql = null);

/// <summary>eventing.knative.dev/v1 Broker.</summary>
public sealed record BrokerResource(ResourceMeta Meta, DeliverySpec? Delivery, ResourceOrigin Origin);

/// <summary>eventing.knative.dev/v1 Trigger.</summary>
public sealed record TriggerResource(
    ResourceMeta Meta,
    string Broker,
    IReadOnlyDictionary<string, string>? FilterAttributes,
    IReadOnlyList<SubscriptionsApiFilter> Filters,
    Destination Subscriber,
    DeliverySpec? Delivery,
    ResourceOrigin Origin);

/// <summary>sources.knative.dev/v1 PingSource.</summary>
public sealed record PingSourceResource(
    ResourceMeta Meta,
    string Schedule,
    string? Timezone,
    string? ContentType,
    string? Data,
    string? DataBase64,
    IReadOnlyDictionary<string, string> CeOverrideExtensions,
    Destination Sink,
    ResourceOrigin Origin);

/// <summary>Everything loaded from the <c>eventing/</c> YAML (and any extra files).</summary>
public sealed record EventingModel(
    IReadOnlyList<BrokerResource> Brokers,
    IReadOnlyList<TriggerResource> Triggers,
    IReadOnlyList<PingSourceResource> PingSources)
{
    public static readonly EventingModel Empty = new([], [], []);
}
