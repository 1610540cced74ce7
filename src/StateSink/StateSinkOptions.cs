using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// Configuration of one node's StateSink. The node's name, Redis and bundle limits come from
/// <see cref="State.StateOptions"/> (<c>AddSkylarkState</c>); these are the sink's own settings.
/// </summary>
public sealed class StateSinkOptions
{
    /// <summary>Shared secret every sink of a deployment presents to the others' peer API (<c>Authorization: Bearer …</c>).</summary>
    public string PeerToken { get; set; } = "";

    /// <summary>
    /// Whose bearer tokens the event endpoint trusts. When it names no issuer and no key set, every sender is accepted
    /// unauthenticated, with a warning at start.
    /// </summary>
    public Identity.SenderVerificationOptions Verification { get; } = new();

    /// <summary>The EventPolicies that may apply to this StateSink (<c>to</c> a Service labelled <c>skylark.io/component: statesink</c>).</summary>
    public IList<Eventing.Resources.EventPolicyResource> Policies { get; } = [];

    /// <summary>Who may send when no EventPolicy applies (Knative's <c>default-authorization-mode</c>).</summary>
    public Eventing.Policies.AuthorizationMode DefaultAuthorization { get; set; } = Eventing.Policies.AuthorizationMode.AllowSameNamespace;

    /// <summary>A topology file (docs/topology.md), re-read on every periodic sync. Ignored when <see cref="Topology"/> is set.</summary>
    public string? TopologyPath { get; set; }

    /// <summary>A fixed topology (e.g. the one <c>skylark up</c> already loaded).</summary>
    public NetworkTopology? Topology { get; set; }

    /// <summary>
    /// Read the topology and the other nodes' sinks from the Kubernetes API (docs/topology.md, "Topology from
    /// Kubernetes"), refreshed every <see cref="KubernetesTopologyFeed.RefreshInterval"/>, instead of
    /// <see cref="Topology"/>, <see cref="TopologyPath"/> and <see cref="Sinks"/>.
    /// </summary>
    public KubernetesTopologyFeed? Kubernetes { get; set; }

    /// <summary>When snapshot 0 of a rotating topology began; the time the sink first loads the topology when null.</summary>
    public DateTimeOffset? TopologyEpoch { get; set; }

    /// <summary>
    /// Where the other nodes' sinks are (node name → base URL), used when no <see cref="Pulling.ISinkDirectory"/> is
    /// registered before <c>AddStateSink</c>.
    /// </summary>
    public IDictionary<string, Uri> Sinks { get; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

    /// <summary>Most bundles one propagate command may list; longer lists are rejected as a whole.</summary>
    public int MaxBundlesPerPropagate { get; set; } = 64;

    /// <summary>Most requests this sink has open to other sinks at once (fused fetches and single pulls).</summary>
    public int MaxConcurrentPulls { get; set; } = 8;

    /// <summary>
    /// Most fetches this sink has waiting at other sinks at once for bundles not written yet (propagations with
    /// <c>awaitWrite</c>). They hold no transfer slot (<see cref="MaxConcurrentPulls"/>) while they wait; beyond this
    /// bound an awaiting propagation fails at once.
    /// </summary>
    public int MaxAwaitingPulls { get; set; } = 256;

    /// <summary>
    /// Most of the <see cref="MaxAwaitingPulls"/> fetches that the commands of one sender (by default the subject of its
    /// verified token, else the CloudEvent <c>source</c>, <see cref="Propagation.PropagateSenderKey"/>) may hold at once; beyond it that sender's awaiting
    /// propagation fails at once while the others' still get fetches. At most <see cref="MaxAwaitingPulls"/>; null:
    /// half of it (rounded up), so one sender leaves the other half to the rest.
    /// </summary>
    public int? MaxAwaitingPullsPerSender { get; set; }

    /// <summary>The bound per sender in force: <see cref="MaxAwaitingPullsPerSender"/>, or half of <see cref="MaxAwaitingPulls"/>.</summary>
    public int AwaitingPullsPerSender => MaxAwaitingPullsPerSender ?? (MaxAwaitingPulls / 2) + (MaxAwaitingPulls % 2);

    /// <summary>Longest <c>?wait=</c> this sink's peer API accepts on <c>POST /peer/bundles:fetch</c> (and asks others for).</summary>
    public TimeSpan MaxFetchWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most refs one <c>POST /peer/bundles:fetch</c> may ask for.</summary>
    public int MaxFetchRefs { get; set; } = 256;

    /// <summary>Largest request body the sink reads (CloudEvents and fetch lists); bundles never travel in requests.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a propagate command may take when its deadline is later or absent.</summary>
    public TimeSpan PropagationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most failed propagations remembered for a retry at the next sync; the oldest are forgotten first.</summary>
    public int MaxWanted { get; set; } = 1024;

    /// <summary>How long a failed propagation stays wanted.</summary>
    public TimeSpan WantedTimeToLive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most bytes of bundles (the sum of their sizes) this node's Redis should hold; the sync evicts least-recently-used
    /// copies beyond it. Null: no budget (bundles still expire by their TTL).
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>Size of the probe that measures a neighbour's throughput (a tiny one measures round-trip time).</summary>
    public int ProbeBytes { get; set; } = 256 * 1024;

    /// <summary>Largest probe this sink serves to others.</summary>
    public int MaxProbeBytes { get; set; } = 4 * 1024 * 1024;

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one periodic sync may run in total.</summary>
    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(PeerToken))
        {
            throw new ArgumentException("StateSinkOptions.PeerToken is required: the peer API only serves callers that present it.");
        }

        if (Kubernetes is not null)
        {
            if (Topology is not null || !string.IsNullOrWhiteSpace(TopologyPath) || Sinks.Count > 0)
            {
                throw new ArgumentException("StateSinkOptions.Kubernetes replaces Topology, TopologyPath and Sinks (all come from the API); set one or the others.");
            }
        }
        else if (Topology is null && string.IsNullOrWhiteSpace(TopologyPath))
        {
            throw new ArgumentException("StateSinkOptions needs a Topology, a TopologyPath or Kubernetes: propagate commands are checked against the topology.");
        }

        foreach (var (node, sink) in Sinks)
        {
            if (sink is null || !sink.IsAbsoluteUri || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"StateSinkOptions.Sinks['{node}'] must be an absolute http(s) URL; got '{sink}'.");
            }
        }

        RequirePositive(MaxBundlesPerPropagate, nameof(MaxBundlesPerPropagate));
        RequirePositive(MaxConcurrentPulls, nameof(MaxConcurrentPulls));
        RequirePositive(MaxFetchRefs, nameof(MaxFetchRefs));
        RequirePositive(MaxAwaitingPulls, nameof(MaxAwaitingPulls));
        if (MaxAwaitingPullsPerSender is { } perSender)
        {
            RequirePositive(perSender, nameof(MaxAwaitingPullsPerSender));
        }

        if (MaxAwaitingPullsPerSender > MaxAwaitingPulls)
        {
            throw new ArgumentException(
                $"StateSinkOptions.MaxAwaitingPullsPerSender ({MaxAwaitingPullsPerSender}) must be at most MaxAwaitingPulls ({MaxAwaitingPulls}): one sender's share cannot exceed the whole.");
        }

        RequirePositive(MaxFetchWait, nameof(MaxFetchWait));
        if (MaxFetchWait.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"StateSinkOptions.MaxFetchWait must be at most {TimeSpan.FromMilliseconds(int.MaxValue)}; got {MaxFetchWait}.");
        }
        if (MaxFetchRefs > State.Wire.BundleWireFormat.MaxEntries)
        {
            throw new ArgumentException($"StateSinkOptions.MaxFetchRefs must be at most {State.Wire.BundleWireFormat.MaxEntries}; got {MaxFetchRefs}.");
        }

        RequirePositive(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        RequirePositive(PropagationTimeout, nameof(PropagationTimeout));
        RequirePositive(MaxWanted, nameof(MaxWanted));
        RequirePositive(WantedTimeToLive, nameof(WantedTimeToLive));
        if (MemoryBudgetBytes is { } budget)
        {
            RequirePositive(budget, nameof(MemoryBudgetBytes));
        }

        RequirePositive(ProbeBytes, nameof(ProbeBytes));
        RequirePositive(MaxProbeBytes, nameof(MaxProbeBytes));
        RequirePositive(ProbeTimeout, nameof(ProbeTimeout));
        RequirePositive(SyncTimeout, nameof(SyncTimeout));
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"StateSinkOptions.{name} must be positive; got {value}.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"StateSinkOptions.{name} must be positive; got {value}.");
        }
    }
}
