using System.Collections.Frozen;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Eventing.Policies;

/// <summary>
/// A resource that receives events and enforces EventPolicies (a Broker, a sink): what a policy's <c>to</c> matches
/// against. Equal when group, kind, namespace, name and every label are, so it can key a cache.
/// </summary>
public sealed record PolicyReceiver
{
    public const string EventingGroup = "eventing.knative.dev";

    public PolicyReceiver(string group, string kind, string @namespace, string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Group = group;
        Kind = kind;
        Namespace = @namespace;
        Name = name;
        Labels = (labels ?? FrozenDictionary<string, string>.Empty).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The API group; "" for the core group.</summary>
    public string Group { get; }

    /// <summary>The kind as Kubernetes spells it (<c>Broker</c>).</summary>
    public string Kind { get; }

    public string Namespace { get; }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>An eventing.knative.dev Broker.</summary>
    public static PolicyReceiver Broker(string @namespace, string name, IReadOnlyDictionary<string, string>? labels = null) =>
        new(EventingGroup, "Broker", @namespace, name, labels);

    /// <summary>The receiver a loaded Broker is, labels included.</summary>
    public static PolicyReceiver Broker(BrokerResource broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return Broker(broker.Meta.Namespace, broker.Meta.Name, broker.Meta.Labels);
    }

    /// <summary>The audience senders' tokens must carry for this receiver.</summary>
    public string Audience => OidcIdentity.Audience(Group, Kind, Namespace, Name);

    public bool Equals(PolicyReceiver? other) =>
        other is not null
        && string.Equals(Group, other.Group, StringComparison.Ordinal)
        && string.Equals(Kind, other.Kind, StringComparison.Ordinal)
        && string.Equals(Namespace, other.Namespace, StringComparison.Ordinal)
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && Labels.Count == other.Labels.Count
        && Labels.All(l => other.Labels.TryGetValue(l.Key, out var value) && string.Equals(value, l.Value, StringComparison.Ordinal));

    public override int GetHashCode()
    {
        // Order-independent over the labels, as equality is.
        var labels = 0;
        foreach (var (key, value) in Labels)
        {
            labels ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), StringComparer.Ordinal.GetHashCode(value));
        }

        return HashCode.Combine(
            StringComparer.Ordinal.GetHashCode(Group),
            StringComparer.Ordinal.GetHashCode(Kind),
            StringComparer.Ordinal.GetHashCode(Namespace),
            StringComparer.Ordinal.GetHashCode(Name),
            labels);
    }

    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
