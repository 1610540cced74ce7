namespace Skylark.Events.Contracts;

/// <summary>
/// The OIDC audiences of Skylark's receivers: what a sender's bearer token must name in <c>aud</c>. They follow
/// Knative's form <c>&lt;group&gt;/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;</c> (lower case), so a token minted for one
/// receiver is refused by every other.
/// </summary>
public static class SkylarkAudiences
{
    /// <summary>A Knative Broker's audience, as Knative announces it in <c>status.address.audience</c>.</summary>
    public static string Broker(string @namespace, string name) => Of("eventing.knative.dev", "Broker", @namespace, name);

    /// <summary>The default Broker of the <c>skylark</c> namespace.</summary>
    public static string DefaultBroker { get; } = Broker(SkylarkDefaults.Namespace, SkylarkDefaults.Broker);

    /// <summary>
    /// The audience of the Broker whose ingress is <paramref name="ingress"/> (<c>…/&lt;namespace&gt;/&lt;broker&gt;</c>, the
    /// path Knative's broker ingress serves, also behind a proxy); null when the path names no Broker.
    /// </summary>
    public static string? OfBrokerIngress(Uri? ingress)
    {
        if (ingress is not { IsAbsoluteUri: true })
        {
            return null;
        }

        var segments = ingress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 2 ? Broker(Uri.UnescapeDataString(segments[0]), Uri.UnescapeDataString(segments[1])) : null;
    }

    /// <summary>The StateSink Service every node's StateSink answers as (the PingSource's sink, fanned out to all nodes).</summary>
    public static string StateSinks { get; } = Service(SkylarkDefaults.Namespace, "statesink");

    /// <summary>One node's StateSink, the subscriber of the Trigger that routes that node's propagate commands.</summary>
    public static string StateSink(string node) => Service(SkylarkDefaults.Namespace, $"statesink-{node}");

    /// <summary>A Knative Service's audience (Serving announces none, so Triggers name it in <c>subscriber.audience</c>).</summary>
    public static string Service(string @namespace, string name) => Of("serving.knative.dev", "Service", @namespace, name);

    private static string Of(string group, string kind, string @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"{group}/{kind}/{@namespace}/{name}".ToLowerInvariant();
    }
}
