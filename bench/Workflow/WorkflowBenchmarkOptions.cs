using Skylark.Events.Lab.Up;
using Skylark.Events.Predictor;
using Skylark.Events.State;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>What <see cref="WorkflowBenchmark"/> measures. Sizes are decimal: 1 MB = 1,000,000 bytes.</summary>
public sealed record WorkflowBenchmarkOptions
{
    public const long Megabyte = 1_000_000;

    /// <summary>Broker and Triggers chaining the stages (bench/eventing/).</summary>
    public required string EventingPath { get; init; }

    /// <summary>Where each cluster keeps its dead letters.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The situations measured, in order (<see cref="WorkflowScenario"/>).</summary>
    public required IReadOnlyList<WorkflowScenario> Scenarios { get; init; }

    public IReadOnlyList<StateMode> Modes { get; init; } = [StateMode.Skylark, StateMode.Databelt, StateMode.OnDemand, StateMode.Central];

    /// <summary>
    /// Workflows run per mode on each new set of clusters before measuring, one at a time, so the Predictor has learned
    /// each stage's successor, node and output name (a name counts once two runs used it) and every code path is warm.
    /// </summary>
    public int WarmUpWorkflows { get; init; } = 3;

    public long WarmUpStateBytes { get; init; } = 1 * Megabyte;

    /// <summary>Bounds a workflow that never finishes (a failure case, not a measure).</summary>
    public TimeSpan WorkflowTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Workflows run traced and untraced side by side (<see cref="TracingComparison"/>); null skips them.</summary>
    public TracingComparisonOptions? Tracing { get; init; }

    /// <inheritdoc cref="UpOptions.ControlNode"/>
    public string? ControlNode { get; init; }

    /// <inheritdoc cref="UpOptions.InstantControlPlane"/>
    public bool InstantControlPlane { get; init; }

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

    /// <summary>
    /// What each stage does in the <c>pipelined</c> scenario: computes for 400 ms and emits its output as 8 equal items
    /// as it goes (one every 50 ms), like a detector emitting per-tile results. 400 ms is of the order of the control
    /// plane's delay on the testbed (100–190 ms per hand-over) and of moving 1–2 MB over its links (89–533 ms), so
    /// whether a transfer can overlap the producer's work decides the read wait.
    /// </summary>
    public static StageWork PipelinedWork { get; } = new(8, TimeSpan.FromMilliseconds(400));

    /// <summary>
    /// The full profile: static 1–50 MB × 3, replicated (round-robin and locality-aware), churn, branch and pipelined
    /// at 2 MB, throughput at 5–50 parallel workflows of 2 MB.
    /// </summary>
    public static WorkflowBenchmarkOptions Full(string benchDirectory, string workDirectory) => new()
    {
        EventingPath = Path.Combine(benchDirectory, "eventing"),
        WorkDirectory = workDirectory,
        Scenarios = ScenariosIn(
            benchDirectory,
            staticSizes: [1 * Megabyte, 5 * Megabyte, 10 * Megabyte, 25 * Megabyte, 50 * Megabyte],
            staticRepetitions: 3,
            scenarioBytes: 2 * Megabyte,
            scenarioRepetitions: 7,
            parallelism: [5, 10, 25, 50],
            locallyServedReplicas: true,
            pipelinedRepetitions: 7),
        Tracing = new TracingComparisonOptions { Pairs = 8 },
    };

    /// <summary>
    /// The quick profile: the same scenarios with fewer and smaller workflows (two pipelined ones), one throughput batch,
    /// and without the locality-aware replicated scenario (no summary key reads it), so the whole bench stays within a
    /// few minutes.
    /// </summary>
    public static WorkflowBenchmarkOptions Quick(string benchDirectory, string workDirectory) => new()
    {
        EventingPath = Path.Combine(benchDirectory, "eventing"),
        WorkDirectory = workDirectory,
        Scenarios = ScenariosIn(
            benchDirectory,
            staticSizes: [1 * Megabyte, 5 * Megabyte],
            staticRepetitions: 2,
            scenarioBytes: 1 * Megabyte,
            scenarioRepetitions: 3,
            parallelism: [5],
            locallyServedReplicas: false,

            // Two, not three: a pipelined workflow takes 4 × 400 ms of compute on top of the others' time in every mode
            // (central's 7 s among them), and the profile must stay within a few minutes.
            pipelinedRepetitions: 2),

        Tracing = new TracingComparisonOptions { StateBytes = 1 * Megabyte, Pairs = 3 },

        // Two warm-up workflows: one teaches the Predictor each stage's successor and node, the second confirms each
        // stage's output name, which looking one step ahead needs.
        WarmUpWorkflows = 2,
    };

    private static IReadOnlyList<WorkflowScenario> ScenariosIn(
        string bench, IReadOnlyList<long> staticSizes, int staticRepetitions, long scenarioBytes, int scenarioRepetitions, IReadOnlyList<int> parallelism,
        bool locallyServedReplicas, int pipelinedRepetitions)
    {
        var pinned = Path.Combine(bench, "databelt-workflow.yaml");
        var replicated = Path.Combine(bench, "databelt-replicated.yaml");
        return
        [
            new() { Name = "static", TopologyPath = pinned, StateBytes = staticSizes, Repetitions = staticRepetitions },
            new() { Name = "replicated", TopologyPath = replicated, Serving = ServingPolicy.RoundRobin, StateBytes = [scenarioBytes], Repetitions = scenarioRepetitions },
            .. (locallyServedReplicas
                ? [new WorkflowScenario { Name = "replicated-local", TopologyPath = replicated, Serving = ServingPolicy.LocalityAware, StateBytes = [scenarioBytes], Repetitions = scenarioRepetitions }]
                : Array.Empty<WorkflowScenario>()),
            new() { Name = "churn", TopologyPath = Path.Combine(bench, "databelt-churn.yaml"), StateBytes = [scenarioBytes], Repetitions = scenarioRepetitions },

            // Seven workflows per repetition, so each repetition has exactly one that reaches the alarm.
            new() { Name = "branch", TopologyPath = pinned, StateBytes = [scenarioBytes], Repetitions = 7 * Math.Max(1, scenarioRepetitions / 3), AlarmEvery = 7 },
            new() { Name = "pipelined", TopologyPath = pinned, StateBytes = [scenarioBytes], Repetitions = pipelinedRepetitions, Work = PipelinedWork },
            new() { Name = "throughput", TopologyPath = pinned, Parallelism = parallelism },
        ];
    }
}
