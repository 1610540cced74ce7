using Skylark.Events.Lab.Up;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// Which workflows the workflow section runs twice over, with and without the services' spans recorded: one mode's
/// cluster of one scenario, at one state size, <see cref="Pairs"/> times a traced and an untraced workflow in turn.
/// </summary>
public sealed record TracingComparisonOptions
{
    /// <summary>The scenario whose clusters the comparison borrows, after that scenario's own measurements.</summary>
    public string Scenario { get; init; } = "static";

    public StateMode Mode { get; init; } = StateMode.Skylark;

    public long StateBytes { get; init; } = 2 * WorkflowBenchmarkOptions.Megabyte;

    /// <summary>Traced/untraced pairs; the order within a pair alternates, so drift falls on both alike.</summary>
    public int Pairs { get; init; } = 8;
}

/// <summary>
/// The same workflows with the services' spans kept in a trace store (as <c>skylark up</c> and <c>skylark demo</c>
/// keep them) and without (nothing listens, so no span is started), taken in turn on one cluster.
/// </summary>
public sealed record TracingComparison(
    string Scenario,
    string Mode,
    long StateBytes,
    int Pairs,
    BenchmarkStatistic UntracedMs,
    BenchmarkStatistic TracedMs,
    double UntracedReadWaitMs,
    double TracedReadWaitMs,
    double SpansPerTracedWorkflow)
{
    /// <summary><c>tracedVsUntracedWorkflowP50</c>: median end-to-end latency traced over untraced.</summary>
    public double P50Ratio => UntracedMs.Median == 0 ? double.NaN : TracedMs.Median / UntracedMs.Median;
}
