using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Skylark.Events.Lab.Up;
using Skylark.Events.Predictor.Metrics;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>How many stage reads were served from where.</summary>
public sealed record ReadSourceCounts(int Local, int Waited, int Remote, int Other)
{
    public int Total => Local + Waited + Remote + Other;

    /// <summary>(local + waited) / all reads; NaN without reads.</summary>
    public double Availability => Total == 0 ? double.NaN : (double)(Local + Waited) / Total;

    public static ReadSourceCounts Of(IEnumerable<StageReport> stages)
    {
        int local = 0, waited = 0, remote = 0, other = 0;
        foreach (var stage in stages)
        {
            switch (stage.ReadSource)
            {
                case "local": local++; break;
                case "waited": waited++; break;
                case "remote": remote++; break;
                default: other++; break;
            }
        }

        return new ReadSourceCounts(local, waited, remote, other);
    }

    public override string ToString() => $"{Local} local / {Waited} waited / {Remote} remote" + (Other > 0 ? $" / {Other} other" : "");
}

/// <summary>Median over the measured workflows of one stage's figures, as the functions reported them.</summary>
public sealed record StageBreakdown(string Function, string Node, double ReadMs, double DurationMs, ReadSourceCounts Reads);

/// <summary>
/// Link bytes while some workflows ran on one cluster: <see cref="State"/> and <see cref="Control"/> bytes that entered
/// the emulated network, <see cref="Needed"/> the input bytes the stages read from another node (what had to cross a
/// link whatever the policy), and <see cref="WastedBytes"/> the rest of the state bytes — state moved where no stage read
/// it, or moved twice (plus a little protocol overhead, which on-demand pulls show alone). Null in central mode, where
/// every write crosses a link by design.
/// </summary>
public sealed record LinkBytes(long State, long Control, long Needed, long? WastedBytes)
{
    public static LinkBytes Between((long State, long Control) before, (long State, long Control) after, IEnumerable<StageReport> stages, StateMode mode)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var needed = stages.Where(s => s.InputCrossedLink).Sum(s => s.ReadBytes);
        var state = after.State - before.State;
        return new LinkBytes(state, after.Control - before.Control, needed, mode == StateMode.Central ? null : Math.Max(0, state - needed));
    }

    /// <summary>State bytes each directed link (<c>from-&gt;to</c>) carried between two counts; links that carried none are left out.</summary>
    public static IReadOnlyDictionary<string, long> PerLinkBetween(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return after.Select(l => (l.Key, Bytes: l.Value - before.GetValueOrDefault(l.Key))).Where(l => l.Bytes > 0)
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .ToDictionary(l => l.Key, l => l.Bytes, StringComparer.Ordinal);
    }

    public static LinkBytes Sum(IEnumerable<LinkBytes> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var list = parts.ToList();
        return new LinkBytes(
            list.Sum(p => p.State),
            list.Sum(p => p.Control),
            list.Sum(p => p.Needed),
            list.Count == 0 || list.Any(p => p.WastedBytes is null) ? null : list.Sum(p => p.WastedBytes!.Value));
    }
}

/// <summary>
/// The latency of one (mode, state size): end-to-end median with min/max, p10/p50/p90/p99 over the repetitions, the
/// read wait (what the stages waited for their inputs at invocation, per workflow), the input write, each stage's read
/// and total time, what is left (broker hops, delivery, waiting for propagations) and the link bytes.
/// </summary>
public sealed record LatencyCase(
    string Mode,
    long StateBytes,
    int Repetitions,
    BenchmarkStatistic EndToEndMs,
    double P10Ms,
    double P90Ms,
    double P99Ms,
    BenchmarkStatistic ReadWaitMs,
    double InputWriteMs,
    IReadOnlyList<StageBreakdown> Stages,
    double OtherMs,
    LinkBytes Bytes,
    IReadOnlyList<double> EndToEndSamplesMs)
{
    public static LatencyCase Of(StateMode mode, long stateBytes, IReadOnlyList<MeasuredWorkflow> measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var runs = measured.Select(m => m.Workflow).ToList();
        var e2e = runs.Select(r => r.EndToEndMs).ToList();
        var stages = WorkflowStages.InOrder.Select(stage =>
        {
            var reports = runs.SelectMany(r => r.Stages).Where(s => s.Function == stage).ToList();
            return new StageBreakdown(
                stage,
                string.Join("|", reports.Select(r => r.Node).Distinct().Order(StringComparer.Ordinal)),
                Median(reports.Select(s => s.ReadMs)),
                Median(reports.Select(s => s.DurationMs)),
                ReadSourceCounts.Of(reports));
        }).Where(s => s.Reads.Total > 0).ToList();
        var input = Median(runs.Select(r => r.InputWriteMs));
        var other = Median(runs.Select(r => r.EndToEndMs - r.InputWriteMs - r.Stages.Sum(s => s.DurationMs)));
        return new LatencyCase(
            mode.Name(), stateBytes, runs.Count, BenchmarkStatistic.Of(e2e),
            Percentile(e2e, 0.10), Percentile(e2e, 0.90), Percentile(e2e, 0.99),
            BenchmarkStatistic.Of(measured.Select(m => m.ReadWaitMs)), input, stages, other,
            LinkBytes.Sum(measured.Select(m => m.Bytes)),
            [.. e2e.Select(v => Math.Round(v, 1))]);
    }

    /// <summary>The median of the repetitions (the same value the linear-interpolation p50 gives).</summary>
    public double P50Ms => EndToEndMs.Median;

    internal static double Median(IEnumerable<double> values) => BenchmarkStatistic.Of(values.Where(v => !double.IsNaN(v))).Median;

    /// <summary>Linear interpolation between closest ranks.</summary>
    internal static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}

/// <summary>
/// One batch of <see cref="Parallel"/> workflows started at once: makespan from the first start to the last
/// completion, workflows/s = parallel / makespan, the latencies of its workflows, where their reads came from and the
/// link bytes.
/// </summary>
public sealed record ThroughputCase(
    string Mode,
    int Parallel,
    long StateBytes,
    double MakespanMs,
    double WorkflowsPerSecond,
    BenchmarkStatistic EndToEndMs,
    ReadSourceCounts Reads,
    LinkBytes Bytes);

/// <summary>
/// Everything measured for one mode in one scenario: per size and per batch, and over all the scenario's latency
/// workflows: p50, p99, median read wait, reads (all, and of inputs held on another node) and link bytes.
/// </summary>
public sealed record ModeResult(
    string Mode,
    IReadOnlyList<LatencyCase> Latency,
    IReadOnlyList<ThroughputCase> Throughput,
    BenchmarkStatistic EndToEndMs,
    double P99Ms,
    double ReadWaitMs,
    ReadSourceCounts Reads,
    ReadSourceCounts CrossedInputReads,
    LinkBytes Bytes,
    PredictorMetricsSnapshot? Predictor)
{
    /// <summary>The median of the scenario's latency workflows; NaN without any.</summary>
    public double P50Ms => EndToEndMs.Median;

    /// <summary>State bytes per directed link (<c>from-&gt;to</c>, a multi-hop transfer counted on every hop) over the scenario's latency workflows.</summary>
    public IReadOnlyDictionary<string, long> StateBytesPerLink { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}

/// <summary>One scenario (<see cref="WorkflowScenario"/>) with every mode measured side by side.</summary>
public sealed record ScenarioResult(
    string Name,
    string Topology,
    string Serving,
    IReadOnlyList<long> StateBytes,
    int Repetitions,
    IReadOnlyList<int> Parallelism,
    long ThroughputStateBytes,
    int AlarmEvery,
    IReadOnlyList<ModeResult> Modes,
    TimeSpan Duration)
{
    /// <summary>How many items each stage emitted its output as (<see cref="StageWork"/>); 0 when written in one piece.</summary>
    public int OutputItems { get; init; }

    /// <summary>Each stage's compute time, ms (0 when it writes at once).</summary>
    public double ComputeMs { get; init; }

    public ModeResult? Find(StateMode mode) => Modes.FirstOrDefault(m => m.Mode == mode.Name());
}

/// <summary>Everything one <see cref="WorkflowBenchmark.RunAsync"/> measured, and the summary ratios taken from it.</summary>
public sealed record WorkflowBenchmarkReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int WarmUpWorkflows,
    bool InstantControlPlane,
    IReadOnlyList<ScenarioResult> Scenarios)
{
    public const long SummaryStateBytes = 5 * WorkflowBenchmarkOptions.Megabyte;

    public const long ReadWaitStateBytes = 1 * WorkflowBenchmarkOptions.Megabyte;

    public ScenarioResult? Scenario(string name) => Scenarios.FirstOrDefault(s => s.Name == name);

    /// <summary>The same workflows traced and untraced, side by side; null when not measured.</summary>
    public TracingComparison? Tracing { get; init; }

    /// <summary>1 − p50 skylark / p50 central in the static scenario at 5 MB.</summary>
    [JsonIgnore]
    public double E2eLatencyReductionVsCentral5MB => 1 - P50Ratio("static", StateMode.Skylark, StateMode.Central, SummaryStateBytes);

    /// <summary>Share of skylark-mode stage reads of the static scenario's latency workflows that were local or waited.</summary>
    [JsonIgnore]
    public double LocalStateAvailability => Scenario("static")?.Find(StateMode.Skylark)?.Reads.Availability ?? double.NaN;

    /// <summary>p50 of <paramref name="mode"/> / p50 of <paramref name="baseline"/>: at one size, or over all the scenario's latency workflows.</summary>
    public double P50Ratio(string scenario, StateMode mode, StateMode baseline, long? stateBytes = null) =>
        Ratio(scenario, mode, baseline, m => stateBytes is { } size ? m.Latency.FirstOrDefault(l => l.StateBytes == size)?.P50Ms : m.P50Ms);

    public double P99Ratio(string scenario, StateMode mode, StateMode baseline) => Ratio(scenario, mode, baseline, m => m.P99Ms);

    /// <summary>Median read wait per workflow of <paramref name="mode"/> / that of <paramref name="baseline"/> at one size.</summary>
    public double ReadWaitRatio(string scenario, StateMode mode, StateMode baseline, long stateBytes) =>
        Ratio(scenario, mode, baseline, m => m.Latency.FirstOrDefault(l => l.StateBytes == stateBytes)?.ReadWaitMs.Median);

    /// <summary>Median read wait per workflow of <paramref name="mode"/> / that of <paramref name="baseline"/> over all the scenario's latency workflows.</summary>
    public double ReadWaitRatio(string scenario, StateMode mode, StateMode baseline) => Ratio(scenario, mode, baseline, m => m.ReadWaitMs);

    public double WastedBytesRatio(string scenario, StateMode mode, StateMode baseline) =>
        Ratio(scenario, mode, baseline, m => m.Bytes.WastedBytes);

    /// <summary>Workflows/s of <paramref name="mode"/> / those of <paramref name="baseline"/> at the highest parallelism measured.</summary>
    public double ThroughputGain(StateMode mode, StateMode baseline)
    {
        if (Scenario("throughput") is not { Parallelism.Count: > 0 } throughput)
        {
            return double.NaN;
        }

        var highest = throughput.Parallelism.Max();
        return Ratio("throughput", mode, baseline, m => m.Throughput.FirstOrDefault(t => t.Parallel == highest)?.WorkflowsPerSecond);
    }

    /// <summary>Share of skylark-mode reads in a scenario that were local or waited.</summary>
    public double Availability(string scenario, StateMode mode = StateMode.Skylark) => Scenario(scenario)?.Find(mode)?.Reads.Availability ?? double.NaN;

    /// <summary>The workflow section's summary keys of <c>skylark bench --json</c>, with their targets.</summary>
    public IReadOnlyList<BenchFigure> SummaryFigures() =>
    [
        new("p50VsOndemand_static_5MB", P50Ratio("static", StateMode.Skylark, StateMode.OnDemand, SummaryStateBytes), AtMost: 0.80),
        new("readWaitVsOndemand_static_1MB", ReadWaitRatio("static", StateMode.Skylark, StateMode.OnDemand, ReadWaitStateBytes), AtMost: 0.25),
        new("p50VsOndemand_replicated", P50Ratio("replicated", StateMode.Skylark, StateMode.OnDemand), AtMost: 0.75),
        new("p50VsOndemand_churn", P50Ratio("churn", StateMode.Skylark, StateMode.OnDemand), AtMost: 0.75),
        new("p50VsDatabelt_static", P50Ratio("static", StateMode.Skylark, StateMode.Databelt), AtMost: 1.00),
        new("p50VsDatabelt_replicated", P50Ratio("replicated", StateMode.Skylark, StateMode.Databelt), AtMost: 0.80),
        new("p50VsDatabelt_churn", P50Ratio("churn", StateMode.Skylark, StateMode.Databelt), AtMost: 0.80),
        new("p99VsDatabelt_churn", P99Ratio("churn", StateMode.Skylark, StateMode.Databelt), AtMost: 0.80),
        new("wastedBytesVsDatabelt_replicated", WastedBytesRatio("replicated", StateMode.Skylark, StateMode.Databelt), AtMost: 0.5),
        new("e2eLatencyReductionVsCentral_5MB", E2eLatencyReductionVsCentral5MB, AtLeast: 0.70),
        new("localStateAvailability_churn", Availability("churn"), AtLeast: 0.95),
        new("throughputGainVsCentral", ThroughputGain(StateMode.Skylark, StateMode.Central), AtLeast: 2.0),
        new("throughputGainVsOndemand", ThroughputGain(StateMode.Skylark, StateMode.OnDemand), AtLeast: 1.1),
        new("throughputGainVsDatabelt", ThroughputGain(StateMode.Skylark, StateMode.Databelt), AtLeast: 1.0),

        // No targets: what moving state while its producer still writes it gives, measured, not aimed at.
        new("p50VsOndemand_pipelined", P50Ratio("pipelined", StateMode.Skylark, StateMode.OnDemand)),
        new("readWaitVsOndemand_pipelined", ReadWaitRatio("pipelined", StateMode.Skylark, StateMode.OnDemand)),
    ];

    /// <summary>Further figures of the workflow section (no targets): the other modes' ratios, and the scenarios the keys do not name.</summary>
    public IReadOnlyList<BenchFigure> OtherFigures() =>
    [
        new("localStateAvailability", LocalStateAvailability),
        new("p50VsOndemand_static_1MB", P50Ratio("static", StateMode.Skylark, StateMode.OnDemand, ReadWaitStateBytes)),
        new("p50VsOndemand_replicatedLocal", P50Ratio("replicated-local", StateMode.Skylark, StateMode.OnDemand)),
        new("p50VsDatabelt_replicatedLocal", P50Ratio("replicated-local", StateMode.Skylark, StateMode.Databelt)),
        new("p50VsOndemand_branch", P50Ratio("branch", StateMode.Skylark, StateMode.OnDemand)),
        new("p50VsDatabelt_branch", P50Ratio("branch", StateMode.Skylark, StateMode.Databelt)),
        new("databeltP50VsOndemand_static_5MB", P50Ratio("static", StateMode.Databelt, StateMode.OnDemand, SummaryStateBytes)),
        new("onDemandE2eLatencyReductionVsCentral_5MB", 1 - P50Ratio("static", StateMode.OnDemand, StateMode.Central, SummaryStateBytes)),
        new("onDemandThroughputGainVsCentral", ThroughputGain(StateMode.OnDemand, StateMode.Central)),
        new("localStateAvailability_churn_databelt", Availability("churn", StateMode.Databelt)),
        new("p50VsDatabelt_pipelined", P50Ratio("pipelined", StateMode.Skylark, StateMode.Databelt)),
        new("readWaitVsDatabelt_pipelined", ReadWaitRatio("pipelined", StateMode.Skylark, StateMode.Databelt)),
        new("p50VsCentral_pipelined", P50Ratio("pipelined", StateMode.Skylark, StateMode.Central)),
        new("localStateAvailability_pipelined", Availability("pipelined")),
        new("tracedVsUntracedWorkflowP50", Tracing?.P50Ratio ?? double.NaN),
    ];

    private double Ratio(string scenario, StateMode mode, StateMode baseline, Func<ModeResult, double?> figure)
    {
        var found = Scenario(scenario);
        var measured = found?.Find(mode) is { } m ? figure(m) : null;
        var reference = found?.Find(baseline) is { } b ? figure(b) : null;
        return measured is { } x && reference is { } y && y != 0 ? x / y : double.NaN;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Control plane: {(InstantControlPlane ? "instant (events do not cross the links)" : "on the emulated links")}; {WarmUpWorkflows} warm-up workflows per mode and cluster set.");
        foreach (var scenario in Scenarios)
        {
            text.AppendLine();
            var work = scenario.OutputItems > 0 ? $", each stage emits {scenario.OutputItems} items over {scenario.ComputeMs:F0} ms" : "";
            text.AppendLine(c, $"Scenario {scenario.Name} ({scenario.Topology}, {scenario.Serving} serving{(scenario.AlarmEvery > 1 ? $", alarm in 1 of {scenario.AlarmEvery} workflows" : "")}{work}; {scenario.Duration.TotalSeconds:F0} s)");
            text.AppendLine();
            if (scenario.StateBytes.Count > 0)
            {
                text.AppendLine(c, $"{scenario.Repetitions} workflows per size and mode, interleaved; ms; reads local/waited/remote; bytes over the links");
                text.AppendLine();
                text.AppendLine("| state | mode | p50 | p99 | median [min..max] | read wait median | input write | reads | stage read ms | rest | state bytes | wasted | control bytes |");
                text.AppendLine("|---:|---|---:|---:|---|---:|---:|---|---|---:|---:|---:|---:|");
                foreach (var size in scenario.StateBytes)
                {
                    foreach (var mode in scenario.Modes)
                    {
                        if (mode.Latency.FirstOrDefault(l => l.StateBytes == size) is not { } l)
                        {
                            continue;
                        }

                        var reads = new ReadSourceCounts(
                            l.Stages.Sum(s => s.Reads.Local), l.Stages.Sum(s => s.Reads.Waited), l.Stages.Sum(s => s.Reads.Remote), l.Stages.Sum(s => s.Reads.Other));
                        text.AppendLine(c,
                            $"| {size / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB | {mode.Mode} | {l.P50Ms:F0} | {l.P99Ms:F0} | {l.EndToEndMs.Median:F0} [{l.EndToEndMs.Min:F0}..{l.EndToEndMs.Max:F0}] | {l.ReadWaitMs.Median:F0} | {l.InputWriteMs:F0} | {reads.Local}/{reads.Waited}/{reads.Remote} | {string.Join(" · ", l.Stages.Select(s => s.ReadMs.ToString("F0", c)))} | {l.OtherMs:F0} | {l.Bytes.State:N0} | {Wasted(l.Bytes, c)} | {l.Bytes.Control:N0} |");
                    }
                }
            }

            if (scenario.Parallelism.Count > 0)
            {
                text.AppendLine(c, $"Throughput ({scenario.ThroughputStateBytes / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB state; N workflows started at once; workflows/s = N / makespan)");
                text.AppendLine();
                text.AppendLine("| N | mode | makespan ms | workflows/s | latency median [min..max] ms | reads (local/waited/remote) | state bytes | wasted | control bytes |");
                text.AppendLine("|---:|---|---:|---:|---|---|---:|---:|---:|");
                foreach (var parallel in scenario.Parallelism)
                {
                    foreach (var mode in scenario.Modes)
                    {
                        if (mode.Throughput.FirstOrDefault(t => t.Parallel == parallel) is not { } t)
                        {
                            continue;
                        }

                        text.AppendLine(c,
                            $"| {parallel} | {mode.Mode} | {t.MakespanMs:F0} | {t.WorkflowsPerSecond:F3} | {t.EndToEndMs.Median:F0} [{t.EndToEndMs.Min:F0}..{t.EndToEndMs.Max:F0}] | {t.Reads.Local}/{t.Reads.Waited}/{t.Reads.Remote} | {t.Bytes.State:N0} | {Wasted(t.Bytes, c)} | {t.Bytes.Control:N0} |");
                    }
                }
            }
        }

        if (Tracing is { } tracing)
        {
            text.AppendLine();
            text.AppendLine(c, $"Tracing: {tracing.Pairs} workflows of {tracing.StateBytes / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB each way, {tracing.Mode} in {tracing.Scenario}, traced and untraced in turn ({tracing.SpansPerTracedWorkflow:F0} spans per traced workflow)");
            text.AppendLine();
            text.AppendLine("| spans | median [min..max] ms | read wait median ms |");
            text.AppendLine("|---|---|---:|");
            text.AppendLine(c, $"| not recorded | {tracing.UntracedMs.Median:F0} [{tracing.UntracedMs.Min:F0}..{tracing.UntracedMs.Max:F0}] | {tracing.UntracedReadWaitMs:F0} |");
            text.AppendLine(c, $"| recorded | {tracing.TracedMs.Median:F0} [{tracing.TracedMs.Min:F0}..{tracing.TracedMs.Max:F0}] | {tracing.TracedReadWaitMs:F0} |");
            text.AppendLine(c, $"tracedVsUntracedWorkflowP50: {tracing.P50Ratio:F3}");
        }

        return text.ToString();
    }

    private static string Wasted(LinkBytes bytes, CultureInfo culture) => bytes.WastedBytes is { } w ? w.ToString("N0", culture) : "-";
}
