using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Databelt;
using Skylark.Events.Predictor.Election;

namespace Skylark.Events.Predictor;

/// <summary>Configuration of the Predictor service. Units are in the names: ms, Mbit/s, bytes.</summary>
public sealed class PredictorOptions
{
    /// <summary>Which policy decides: this project's <see cref="PredictorPolicy.Predictive"/> (default) or <see cref="PredictorPolicy.Databelt"/>.</summary>
    public PredictorPolicy Policy { get; set; } = PredictorPolicy.Predictive;

    /// <summary>Settings of the Databelt policy; read only when <see cref="Policy"/> is <see cref="PredictorPolicy.Databelt"/>.</summary>
    public DatabeltOptions Databelt { get; } = new();

    /// <summary>Trigger YAML files or folders (the <c>eventing/</c> folder); the candidate successors come from them.</summary>
    public IList<string> EventingPaths { get; } = [];

    /// <summary>Topology YAML (docs/topology.md); without one, nodes come only from history and nothing is elected.</summary>
    public string? TopologyPath { get; set; }

    /// <summary>
    /// Read the topology from the Kubernetes API (nodes, their labels and link annotations; docs/topology.md),
    /// refreshed every <see cref="Topology.KubernetesTopologyFeed.RefreshInterval"/>, instead of <see cref="TopologyPath"/>.
    /// </summary>
    public Topology.KubernetesTopologyFeed? Kubernetes { get; set; }

    /// <summary>When snapshot 0 of the topology began; defaults to when the Predictor starts (as <c>TopologyClock</c> does).</summary>
    public DateTimeOffset? TopologyEpoch { get; set; }

    /// <summary>The objective elections must meet; Databelt's 25 ms and 60 Mbit/s unless set.</summary>
    public SloSettings Slo { get; set; } = SloSettings.Databelt;

    /// <summary>StackExchange.Redis configuration (<c>host:port</c>) where the model is persisted; null keeps it in memory only.</summary>
    public string? Redis { get; set; }

    public string? RedisPassword { get; set; }

    /// <summary>The Redis ACL user <see cref="RedisPassword"/> belongs to; null is Redis' <c>default</c> user.</summary>
    public string? RedisUser { get; set; }

    /// <summary>Redis key of the persisted model.</summary>
    public string ModelKey { get; set; } = "skylark:predictor:model";

    /// <summary>How often a changed model is written to Redis (and once more on shutdown).</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Broker ingress URL that propagate events are POSTed to (Knative sets <c>K_SINK</c>); null only logs them.</summary>
    public Uri? BrokerUrl { get; set; }

    /// <summary>The Predictor's identity token (file), sent as a bearer token with every command to the broker; null sends none.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Timeout of one POST to the broker ingress.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public string Broker { get; set; } = SkylarkDefaults.Broker;

    /// <summary>The topology node the Predictor runs on, for its spans (<c>skylark.node</c>); null: not known.</summary>
    public string? Node { get; set; }

    public string BrokerNamespace { get; set; } = SkylarkDefaults.Namespace;

    /// <summary>Trigger subscribers that are not workflow steps (the Predictor's own Trigger).</summary>
    public ISet<string> IgnoredSubscribers { get; } = new HashSet<string>(StringComparer.Ordinal) { "predictor" };

    /// <summary>Least probability (successor invoked × it runs on that node) for which state is propagated.</summary>
    public double ProbabilityThreshold { get; set; } = 0.5;

    /// <summary>Most target nodes per completion (fan-out bound).</summary>
    public int MaxTargets { get; set; } = 2;

    /// <summary>Most bytes of propagation one completion may cause, over all its targets.</summary>
    public long ByteBudget { get; set; } = 32L * 1024 * 1024;

    /// <summary>Assumed size of a bundle whose size no report gave.</summary>
    public long DefaultBundleBytes { get; set; } = 256 * 1024;

    /// <summary>Most stream bundles remembered per (function, camera).</summary>
    public int MaxCoReads { get; set; } = 8;

    /// <summary>Bounds of the learned model (keys of each table).</summary>
    public int MaxModelKeys { get; set; } = 10_000;

    /// <summary>Decay per observation of the successor follow rates (≈ 1/(1−d) observations of memory).</summary>
    public double SuccessorDecay { get; set; } = 0.95;

    /// <summary>Decay per observation of the node counts: 0.6 lets a new placement dominate after two completions.</summary>
    public double PlacementDecay { get; set; } = 0.6;

    /// <summary>
    /// Longest wait for a successor's completion before deciding it did not follow; also how long a step is kept to
    /// attribute a late completion (which then corrects what was learned).
    /// </summary>
    public TimeSpan OutcomeWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Shortest wait for a successor's completion, however fast the successor usually is.</summary>
    public TimeSpan MinOutcomeWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A successor is awaited this many times its usual (recent longest) delay, within the two windows above.</summary>
    public double OutcomeWindowFactor { get; set; } = 4;

    /// <summary>Most workflow steps awaiting their successors; the oldest are dropped beyond it.</summary>
    public int MaxPendingSteps { get; set; } = 10_000;

    /// <summary>The propagate command's deadline, counted from the completion.</summary>
    public TimeSpan PropagationDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Completions accepted but not yet processed; beyond it POST / answers 503 so the broker retries.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        Require(Enum.IsDefined(Policy), nameof(Policy), "must be Predictive or Databelt");
        Databelt.Validate();
        Require(ProbabilityThreshold is > 0 and <= 1, nameof(ProbabilityThreshold), "must be in (0, 1]");
        Require(MaxTargets >= 1, nameof(MaxTargets), "must be ≥ 1");
        Require(ByteBudget >= 0, nameof(ByteBudget), "must be ≥ 0");
        Require(DefaultBundleBytes >= 0, nameof(DefaultBundleBytes), "must be ≥ 0");
        Require(MaxCoReads >= 0, nameof(MaxCoReads), "must be ≥ 0");
        Require(MaxModelKeys >= 16, nameof(MaxModelKeys), "must be ≥ 16");
        Require(SuccessorDecay is > 0 and <= 1, nameof(SuccessorDecay), "must be in (0, 1]");
        Require(PlacementDecay is > 0 and <= 1, nameof(PlacementDecay), "must be in (0, 1]");
        Require(OutcomeWindow > TimeSpan.Zero, nameof(OutcomeWindow), "must be positive");
        Require(MinOutcomeWindow > TimeSpan.Zero && MinOutcomeWindow <= OutcomeWindow, nameof(MinOutcomeWindow), "must be positive and at most OutcomeWindow");
        Require(OutcomeWindowFactor >= 1, nameof(OutcomeWindowFactor), "must be ≥ 1");
        Require(MaxPendingSteps >= 1, nameof(MaxPendingSteps), "must be ≥ 1");
        Require(PropagationDeadline > TimeSpan.Zero, nameof(PropagationDeadline), "must be positive");
        Require(QueueCapacity >= 1, nameof(QueueCapacity), "must be ≥ 1");
        Require(PersistInterval > TimeSpan.Zero, nameof(PersistInterval), "must be positive");
        Require(SendTimeout > TimeSpan.Zero, nameof(SendTimeout), "must be positive");
        Require(!string.IsNullOrWhiteSpace(ModelKey), nameof(ModelKey), "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Broker), nameof(Broker), "must not be empty");
        Require(Slo is not null, nameof(Slo), "must be set");
        Require(BrokerUrl is null || BrokerUrl.IsAbsoluteUri, nameof(BrokerUrl), "must be an absolute URL");
        Require(Kubernetes is null || TopologyPath is null, nameof(Kubernetes), "replaces TopologyPath; set one of the two");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"PredictorOptions.{name} {rule}.");
        }
    }
}
