using Skylark.Events.Cli.Up;
using Skylark.Events.Predictor;
using Skylark.Events.State;

namespace Skylark.Events.Cli.Bench.Workflow;

/// <summary>What <see cref="WorkflowBenchmark"/> measures (issue 7, items 1 and 2). Sizes are decimal: 1 MB = 1,000,000 bytes.</summary>
public sealed record WorkflowBenchmarkOptions
{
    public const long Megabyte = 1_000_000;

    /// <summary>Nodes, links and snapshots of topologies/databelt-testbed.yaml; the four stages on distinct nodes.</summary>
    public required string TopologyPath { get; init; }

    /// <summary>Broker and Triggers chaining the stages (bench/eventing/).</summary>
    public required string EventingPath { get; init; }

    /// <summary>Where each cluster keeps its dead letters.</summary>
    public required string WorkDirectory { get; init; }

    public IReadOnlyList<StateMode> Modes { get; init; } = [StateMode.Skylark, StateMode.OnDemand, StateMode.Central];

    /// <summary>State sizes of the latency measure: the input and every stage's output are this large.</summary>
    public IReadOnlyList<long> StateBytes { get; init; } = [1 * Megabyte, 5 * Megabyte, 10 * Megabyte, 25 * Megabyte, 50 * Megabyte];

    /// <summary>Measured workflows per state size and mode (one at a time; sizes interleaved per repetition).</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>
    /// Workflows run per mode before measuring, one at a time, so the Predictor has learned each stage's successor,
    /// node and output name (a name counts once two runs used it) and every code path is warm.
    /// </summary>
    public int WarmUpWorkflows { get; init; } = 3;

    public long WarmUpStateBytes { get; init; } = 1 * Megabyte;

    /// <summary>Parallel workflows of the throughput measure, each run as one batch started at once.</summary>
    public IReadOnlyList<int> Parallelism { get; init; } = [5, 10, 25, 50];

    public long ThroughputStateBytes { get; init; } = 2 * Megabyte;

    /// <summary>Bounds a workflow that never finishes (a failure case, not a measure).</summary>
    public TimeSpan WorkflowTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Limits every node's state needs for 50 MB bundles over a 30 Mbit/s path: 64 MiB bundles; pulls and waits for
    /// pulls of up to 3 minutes (50 MB take 13.3 s on the wire alone, several share the ground link when workflows run
    /// in parallel); Redis commands of up to 5 minutes, because with a central store one HSET or HGETALL of 50 MB
    /// crosses the 30 Mbit/s link (and queues behind others on the node's one connection).
    /// </summary>
    public static void ConfigureState(StateOptions state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.MaxBundleBytes = 64L * 1024 * 1024;
        state.PullTimeout = TimeSpan.FromMinutes(3);
        state.InFlightWaitTimeout = TimeSpan.FromMinutes(3);
        state.RedisCommandTimeout = TimeSpan.FromMinutes(5);
        state.DefaultTimeToLive = TimeSpan.FromMinutes(30);
        state.CopyTimeToLive = TimeSpan.FromMinutes(30);
    }

    /// <summary>
    /// The Predictor's per-completion byte budget (32 MiB by default) would leave 50 MB outputs unpropagated: it is
    /// raised to what a node may store for each of its two targets. The propagate deadline covers a 50 MB pull over the
    /// ground link with the queueing of parallel workflows.
    /// </summary>
    public static void ConfigurePredictor(PredictorOptions predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        predictor.ByteBudget = 2 * 64L * 1024 * 1024;
        predictor.PropagationDeadline = TimeSpan.FromMinutes(3);
    }

    /// <summary>The full profile: 1–50 MB × 3 repetitions, 5–50 parallel workflows (about 20 minutes, most of it central mode).</summary>
    public static WorkflowBenchmarkOptions Full(string topologyPath, string eventingPath, string workDirectory) => new()
    {
        TopologyPath = topologyPath,
        EventingPath = eventingPath,
        WorkDirectory = workDirectory,
    };

    /// <summary>The quick profile: 1 and 5 MB × 2 repetitions, 5 and 10 parallel workflows (about 2 minutes).</summary>
    public static WorkflowBenchmarkOptions Quick(string topologyPath, string eventingPath, string workDirectory) => new()
    {
        TopologyPath = topologyPath,
        EventingPath = eventingPath,
        WorkDirectory = workDirectory,
        StateBytes = [1 * Megabyte, 5 * Megabyte],
        Repetitions = 2,

        // Two warm-up workflows: one teaches the Predictor each stage's successor and node, the second confirms each
        // stage's output name, which looking one step ahead needs.
        WarmUpWorkflows = 2,
        Parallelism = [5, 10],
    };
}
