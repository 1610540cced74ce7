using Skylark.Events.Lab.Up;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// One situation the four-stage workflow is measured in, every mode side by side: where the stages may run (the
/// topology's placement and link snapshots), how an instance is picked, which sizes and how many repetitions, and
/// whether every workflow goes on to the alarm stage. Scenarios with the same topology and serving share clusters.
/// </summary>
public sealed record WorkflowScenario
{
    /// <summary><c>static</c>, <c>replicated</c>, <c>replicated-local</c>, <c>churn</c>, <c>branch</c>, <c>pipelined</c> or <c>throughput</c>.</summary>
    public required string Name { get; init; }

    public required string TopologyPath { get; init; }

    /// <summary>How the manifests serve a stage placed on several nodes: per-node Services routed by state, or one Service taken in turn.</summary>
    public ServingPolicy Serving { get; init; } = ServingPolicy.RoundRobin;

    /// <summary>State sizes of the latency workflows (run one at a time); empty for a throughput-only scenario.</summary>
    public IReadOnlyList<long> StateBytes { get; init; } = [];

    /// <summary>Latency workflows per size and mode; sizes and modes are interleaved within each repetition.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Throughput batches: N workflows started at once, per mode in turn.</summary>
    public IReadOnlyList<int> Parallelism { get; init; } = [];

    public long ThroughputStateBytes { get; init; } = 2 * WorkflowBenchmarkOptions.Megabyte;

    /// <summary>Workflow number i of the scenario goes on to the alarm stage when i is a multiple of this (1: every workflow).</summary>
    public int AlarmEvery { get; init; } = 1;

    /// <summary>
    /// What each stage does between reading its input and completing: by default nothing (it writes its output at once,
    /// in one piece); in <c>pipelined</c>, it computes and emits its output item by item (<see cref="StageWork"/>).
    /// </summary>
    public StageWork Work { get; init; } = StageWork.None;

    /// <summary>Whether the scenario's i-th workflow (counted from 0, the same sequence in every mode) alarms.</summary>
    public bool Alarms(int index) => index % AlarmEvery == 0;

    /// <summary>Clusters can be shared by scenarios that agree on this.</summary>
    internal (string Topology, ServingPolicy Serving) ClusterKey => (Path.GetFullPath(TopologyPath), Serving);
}
