using Skylark.Events.Broker.Journal;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Identity;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker;

/// <summary>Configuration of the embedded Knative-compatible broker.</summary>
public sealed class BrokerOptions
{
    /// <summary>Knative's default Service URL form, used for a <c>ref</c> that <see cref="Services"/> does not name.</summary>
    public const string ClusterLocalDomain = "svc.cluster.local";

    /// <summary>Brokers and Triggers to serve (usually from <see cref="ResourceLoader"/>).</summary>
    public EventingModel Model { get; set; } = EventingModel.Empty;

    /// <summary>Largest request body the ingress accepts; larger requests get 413.</summary>
    public long MaxEventBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Events waiting per Trigger (not counting those being delivered). When full the ingress answers 429.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Deliveries in flight per Trigger.</summary>
    public int WorkersPerTrigger { get; set; } = 16;

    /// <summary>How long shutdown waits for queued and in-flight deliveries (and their replies) before abandoning them.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// URLs of Addressables named by a <c>ref</c>, keyed <c>namespace/name</c> or just <c>name</c> (the first wins).
    /// Unnamed refs resolve as Knative would inside a cluster: <c>http://name.namespace.svc.cluster.local</c>.
    /// </summary>
    public IDictionary<string, Uri> Services { get; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

    /// <summary>
    /// Base URL of this broker's ingress as others reach it, for <c>ref: Broker</c> destinations and the
    /// <c>knativeerrordest</c> of a reply that could not be re-ingested. Null: the first address Kestrel bound.
    /// </summary>
    public Uri? IngressBaseUrl { get; set; }

    /// <summary>Connections kept per subscriber host; replies and deliveries share one pool.</summary>
    public int MaxConnectionsPerSubscriber { get; set; } = 256;

    /// <summary>
    /// The durable event journal (docs/journal.md); null keeps accepted events in memory only. With it the ingress
    /// answers 202 once the event is fsynced, and a restart delivers whatever was accepted but not yet delivered.
    /// </summary>
    public JournalOptions? Journal { get; set; }

    /// <summary>
    /// Whose bearer tokens the ingress trusts (Knative's sender identity). When it names no issuer and no key set, every
    /// sender is accepted unauthenticated, with a warning at start, as Knative does while its OIDC feature is off.
    /// </summary>
    public SenderVerificationOptions Verification { get; } = new();

    /// <summary>Who may send to a Broker that no EventPolicy applies to (Knative's <c>default-authorization-mode</c>).</summary>
    public AuthorizationMode DefaultAuthorization { get; set; } = AuthorizationMode.AllowSameNamespace;

    /// <summary>
    /// The issuer (the local one <c>skylark up</c> runs) that grants the broker tokens for its Triggers' and PingSources'
    /// identities, so a delivery to a destination with an audience carries a token as that Trigger, as Knative's broker
    /// filter does. Null: deliveries carry no token.
    /// </summary>
    public Uri? TokenIssuer { get; set; }

    /// <summary>The broker's own identity token, with which it asks <see cref="TokenIssuer"/> for the others.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The topology node the broker runs on, for its spans (<c>skylark.node</c>); null: not known.</summary>
    public string? Node { get; set; }

    /// <summary>Builds each Trigger's filter once at startup. A seam so tests can run before the real filters exist.</summary>
    internal Func<TriggerResource, IEventFilter> FilterFactory { get; set; } = TriggerFilters.Create;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEventBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WorkersPerTrigger, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerSubscriber, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownDrainTimeout, TimeSpan.Zero);
        Journal?.Validate();
        if (IngressBaseUrl is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"{nameof(IngressBaseUrl)} must be absolute.", nameof(IngressBaseUrl));
        }
    }
}
