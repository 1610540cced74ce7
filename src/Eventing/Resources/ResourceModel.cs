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

/// <summary>
/// One item of EventPolicy <c>spec.to</c>: a resource named directly, or every resource of a kind whose labels match.
/// Exactly one of <see cref="Ref"/> and <see cref="Selector"/> is set.
/// </summary>
public sealed record EventPolicyTarget
{
    public EventPolicyTarget(EventPolicyTargetReference? Ref, EventPolicySelector? Selector)
    {
        if ((Ref is null) == (Selector is null))
        {
            throw new ArgumentException("An EventPolicy target sets exactly one of ref and selector.");
        }

        this.Ref = Ref;
        this.Selector = Selector;
    }

    public EventPolicyTargetReference? Ref { get; }

    public EventPolicySelector? Selector { get; }
}

/// <summary>
/// EventPolicy <c>spec.to[].ref</c>. It has no namespace: a policy only ever covers resources of its own namespace.
/// </summary>
public sealed record EventPolicyTargetReference(string ApiVersion, string Kind, string Name);

/// <summary>EventPolicy <c>spec.to[].selector</c>: a kind (by apiVersion group and kind) and a Kubernetes label selector.</summary>
public sealed record EventPolicySelector(
    string ApiVersion,
    string Kind,
    IReadOnlyDictionary<string, string> MatchLabels,
    IReadOnlyList<LabelSelectorRequirement> MatchExpressions);

/// <summary>metav1.LabelSelectorOperator.</summary>
public enum LabelSelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>metav1.LabelSelectorRequirement: In/NotIn carry values, Exists/DoesNotExist none.</summary>
public sealed record LabelSelectorRequirement
{
    public LabelSelectorRequirement(string Key, LabelSelectorOperator Operator, IReadOnlyList<string> Values)
    {
        ArgumentException.ThrowIfNullOrEmpty(Key);
        ArgumentNullException.ThrowIfNull(Values);
        var needsValues = Operator is LabelSelectorOperator.In or LabelSelectorOperator.NotIn;
        if (needsValues != Values.Count > 0)
        {
            throw new ArgumentException(needsValues
                ? $"The {Operator} operator needs at least one value (key \"{Key}\")."
                : $"The {Operator} operator takes no values (key \"{Key}\").");
        }

        this.Key = Key;
        this.Operator = Operator;
        this.Values = Values;
    }

    public string Key { get; }

    public LabelSelectorOperator Operator { get; }

    public IReadOnlyList<string> Values { get; }
}

/// <summary>
/// One item of EventPolicy <c>spec.from</c>: a resource whose OIDC identity may send (its namespace defaulted to the
/// policy's), or an OIDC subject, which may end in <c>*</c> to match any suffix. Exactly one is set.
/// </summary>
public sealed record EventPolicySender
{
    public EventPolicySender(KReference? Ref, string? Sub)
    {
        if ((Ref is null) == (Sub is null))
        {
            throw new ArgumentException("An EventPolicy sender sets exactly one of ref and sub.");
        }

        if (Sub is not null && !IsValidSub(Sub))
        {
            throw new ArgumentException($"An EventPolicy sub must be non-empty with '*' only as its last character; got \"{Sub}\".");
        }

        this.Ref = Ref;
        this.Sub = Sub;
    }

    public KReference? Ref { get; }

    public string? Sub { get; }

    /// <summary>Knative's rule: a non-empty subject with <c>*</c>, if anywhere, only as the last character.</summary>
    public static bool IsValidSub(string sub)
    {
        ArgumentNullException.ThrowIfNull(sub);
        var star = sub.IndexOf('*', StringComparison.Ordinal);
        return sub.Length > 0 && (star < 0 || star == sub.Length - 1);
    }
}

/// <summary>
/// eventing.knative.dev/v1alpha1 EventPolicy: who (<see cref="From"/>) may send which events (<see cref="Filters"/>,
/// all of which must pass) to which receivers (<see cref="To"/>; empty means every receiver in the namespace).
/// </summary>
public sealed record EventPolicyResource(
    ResourceMeta Meta,
    IReadOnlyList<EventPolicyTarget> To,
    IReadOnlyList<EventPolicySender> From,
    IReadOnlyList<SubscriptionsApiFilter> Filters,
    ResourceOrigin Origin);

/// <summary>Everything loaded from the <c>eventing/</c> YAML (and any extra files).</summary>
public sealed record EventingModel(
    IReadOnlyList<BrokerResource> Brokers,
    IReadOnlyList<TriggerResource> Triggers,
    IReadOnlyList<PingSourceResource> PingSources)
{
    public static readonly EventingModel Empty = new([], [], []);

    /// <summary>An init property rather than a parameter, so models built in code without policies stay as they are.</summary>
    public IReadOnlyList<EventPolicyResource> EventPolicies { get; init; } = [];
}
