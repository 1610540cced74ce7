using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// Turns a duckv1.Destination into a URL the way Knative's URI resolver does: a <c>uri</c> as is, a <c>ref</c> to
/// its Addressable's URL, and a <c>ref</c> plus a relative <c>uri</c> to that URI resolved against the ref's URL.
/// </summary>
public sealed class DestinationResolver
{
    /// <summary>Where Knative's MT channel-based brokers are addressed inside a cluster.</summary>
    public static readonly Uri KnativeBrokerIngress = new("http://broker-ingress.knative-eventing.svc.cluster.local");

    private readonly IReadOnlyDictionary<string, Uri> services;

    public DestinationResolver(IEnumerable<KeyValuePair<string, Uri>> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        this.services = services.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>Resolves <paramref name="destination"/>; a ref without namespace is in <paramref name="defaultNamespace"/> (that of the resource holding it).</summary>
    /// <exception cref="ArgumentException">The destination names neither an absolute URI nor a ref.</exception>
    public Uri Resolve(Destination destination, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(defaultNamespace);

        if (destination.Ref is null)
        {
            return destination.Uri is { IsAbsoluteUri: true } uri
                ? uri
                : throw new ArgumentException($"Destination URI '{destination.Uri}' is not absolute and has no ref to resolve it against.", nameof(destination));
        }

        var refUrl = ResolveRef(destination.Ref, defaultNamespace);
        return destination.Uri is { } relative ? new Uri(refUrl, relative) : refUrl;
    }

    private Uri ResolveRef(KReference reference, string defaultNamespace)
    {
        var ns = string.IsNullOrEmpty(reference.Namespace) ? defaultNamespace : reference.Namespace;
        if (services.TryGetValue($"{ns}/{reference.Name}", out var url) || services.TryGetValue(reference.Name, out url))
        {
            return url;
        }

        return reference.Kind == "Broker"
            ? new Uri(KnativeBrokerIngress, $"/{ns}/{reference.Name}")
            : new Uri($"http://{reference.Name}.{ns}.{BrokerOptions.ClusterLocalDomain}");
    }
}
