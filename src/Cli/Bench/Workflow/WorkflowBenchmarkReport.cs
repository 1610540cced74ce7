using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Skylark.Events.Cli.Up;
using Skylark.Events.Predictor.Metrics;

namespace Skylark.Events.Cli.Bench.Workflow;

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
/// The latency of one (mode, state size): end-to-end median with min/max and p10/p90 over the repetitions, the input
/// write, each stage's read and total time, and what is left (broker hops, delivery, waiting for propagations).
/// </summary>
public sealed record LatencyCase(
    string Mode,
    long StateBytes,
    int Repetitions,
    BenchmarkStatistic EndToEndMs,
    double P10Ms,
    double P90Ms,
    double InputWriteMs,
    IReadOnlyList<StageBreakdown> Stages,
    double OtherMs,
    IReadOnlyList<double> EndToEndSamplesMs)
{
    public static LatencyCase Of(StateMode mode, long stateBytes, IReadOnlyList<WorkflowMeasurement> runs)
    {
        var e2e = runs.Select(r => r.EndToEndMs).ToList();
        var stages = WorkflowStages.InOrder.Select(stage =>
        {
            var reports = runs.SelectMany(r => r.Stages).Where(s => s.Function == stage).ToList();
            return new StageBreakdown(
                stage,
                reports.FirstOrDefault()?.Node ?? "",
                Median(reports.Select(s => s.ReadMs)),
                Median(reports.Select(s => s.DurationMs)),
                ReadSourceCounts.Of(reports));
        }).ToList();
        var input = Median(runs.Select(r => r.InputWriteMs));
        var other = Median(runs.Select(r => r.EndToEndMs - r.InputWriteMs - r.Stages.Sum(s => s.DurationMs)));
        return new LatencyCase(
            mode.Name(), stateBytes, runs.Count, BenchmarkStatistic.Of(e2e), Percentile(e2e, 0.10), Percentile(e2e, 0.90), input, stages, other,
            [.. e2e.Select(v => Math.Round(v, 1))]);
    }

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
/// completion, workflows/s = parallel / makespan, the latencies of its workflows and where their reads came from.
/// </summary>
public sealed record ThroughputCase(
    string Mode,
    int Parallel,
    long StateBytes,
    double MakespanMs,
    double WorkflowsPerSecond,
    BenchmarkStatistic EndToEndMs,
    ReadSourceCounts Reads,
    long LinkBytes);

/// <summary>Everything measured for one mode, on one cluster.</summary>
public sealed record ModeResult(
    string Mode,
    IReadOnlyList<LatencyCase> Latency,
    IReadOnlyList<ThroughputCase> Throughput,
    ReadSourceCounts LatencyReads,
    ReadSourceCounts LatencyPropagatedInputReads,
    long LatencyLinkBytes,
    PredictorMetricsSnapshot? Predictor,
    TimeSpan Duration);

/// <summary>Everything one <see cref="WorkflowBenchmark.RunAsync"/> measured.</summary>
public sealed record WorkflowBenchmarkReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Topology,
    IReadOnlyList<long> StateBytes,
    int Repetitions,
    int WarmUpWorkflows,
    IReadOnlyList<int> Parallelism,
    long ThroughputStateBytes,
    IReadOnlyList<ModeResult> Modes)
{
    public const long SummaryStateBytes = 5 * WorkflowBenchmarkOptions.Megabyte;

    /// <summary>1 − p50 skylark / p50 central at 5 MB (issue 7's <c>e2eLatencyReductionVsCentral_5MB</c>).</summary>
    [JsonIgnore]
    public double E2eLatencyReductionVsCentral5MB => LatencyReduction(StateMode.Skylark, StateMode.Central, SummaryStateBytes);

    /// <summary>Share of skylark-mode stage reads of the measured latency workflows that were local or waited.</summary>
    [JsonIgnore]
    public double LocalStateAvailability => Find(StateMode.Skylark)?.LatencyReads.Availability ?? double.NaN;

    /// <summary>skylark / central workflows/s at the highest parallelism measured.</summary>
    [JsonIgnore]
    public double ThroughputGainVsCentral => ThroughputGain(StateMode.Skylark, StateMode.Central);

    public double LatencyReduction(StateMode mode, StateMode baseline, long stateBytes)
    {
        var measured = Find(mode)?.Latency.FirstOrDefault(l => l.StateBytes == stateBytes);
        var reference = Find(baseline)?.Latency.FirstOrDefault(l => l.StateBytes == stateBytes);
        return measured is null || reference is null ? double.NaN : 1 - (measured.EndToEndMs.Median / reference.EndToEndMs.Median);
    }

    public double ThroughputGain(StateMode mode, StateMode baseline)
    {
        if (Parallelism.Count == 0)
        {
            return double.NaN;
        }

        var highest = Parallelism.Max();
        var measured = Find(mode)?.Throughput.FirstOrDefault(t => t.Parallel == highest);
        var reference = Find(baseline)?.Throughput.FirstOrDefault(t => t.Parallel == highest);
        return measured is null || reference is null ? double.NaN : measured.WorkflowsPerSecond / reference.WorkflowsPerSecond;
    }

    private ModeResult? Find(StateMode mode) => Modes.FirstOrDefault(m => m.Mode == mode.Name());

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Workflow latency ({Repetitions} repetitions per size and mode after {WarmUpWorkflows} warm-up workflows; median [min..max], p10–p90; ms)");
        text.AppendLine();
        text.AppendLine("| state | mode | end-to-end | p10–p90 | input write | reads (local/waited/remote) | stage read ms (median) | stage total ms (median) | rest |");
        text.AppendLine("|---:|---|---|---|---:|---|---|---|---:|");
        foreach (var size in StateBytes)
        {
            foreach (var mode in Modes)
            {
                if (mode.Latency.FirstOrDefault(l => l.StateBytes == size) is not { } l)
                {
                    continue;
                }

                var reads = new ReadSourceCounts(
                    l.Stages.Sum(s => s.Reads.Local), l.Stages.Sum(s => s.Reads.Waited), l.Stages.Sum(s => s.Reads.Remote), l.Stages.Sum(s => s.Reads.Other));
                text.AppendLine(c,
                    $"| {size / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB | {mode.Mode} | {l.EndToEndMs.Median:F0} [{l.EndToEndMs.Min:F0}..{l.EndToEndMs.Max:F0}] | {l.P10Ms:F0}–{l.P90Ms:F0} | {l.InputWriteMs:F0} | {reads.Local}/{reads.Waited}/{reads.Remote} | {string.Join(" · ", l.Stages.Select(s => s.ReadMs.ToString("F0", c)))} | {string.Join(" · ", l.Stages.Select(s => s.DurationMs.ToString("F0", c)))} | {l.OtherMs:F0} |");
            }
        }

        text.AppendLine();
        text.AppendLine(c, $"Throughput ({ThroughputStateBytes / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB state; N workflows started at once; workflows/s = N / makespan)");
        text.AppendLine();
        text.AppendLine("| N | mode | makespan ms | workflows/s | latency median [min..max] ms | reads (local/waited/remote) | link bytes |");
        text.AppendLine("|---:|---|---:|---:|---|---|---:|");
        foreach (var parallel in Parallelism)
        {
            foreach (var mode in Modes)
            {
                if (mode.Throughput.FirstOrDefault(t => t.Parallel == parallel) is not { } t)
                {
                    continue;
                }

                text.AppendLine(c,
                    $"| {parallel} | {mode.Mode} | {t.MakespanMs:F0} | {t.WorkflowsPerSecond:F3} | {t.EndToEndMs.Median:F0} [{t.EndToEndMs.Min:F0}..{t.EndToEndMs.Max:F0}] | {t.Reads.Local}/{t.Reads.Waited}/{t.Reads.Remote} | {t.LinkBytes:N0} |");
            }
        }

        text.AppendLine();
        foreach (var mode in Modes)
        {
            text.AppendLine(c, $"- {mode.Mode}: latency reads {mode.LatencyReads}; of propagated inputs (stages 2–4) {mode.LatencyPropagatedInputReads}; {mode.LatencyLinkBytes:N0} link bytes; {mode.Duration.TotalSeconds:F0} s");
        }

        text.AppendLine(c, $"- e2eLatencyReductionVsCentral_5MB: {E2eLatencyReductionVsCentral5MB:F3} (target >= 0.70); ondemand vs central: {LatencyReduction(StateMode.OnDemand, StateMode.Central, SummaryStateBytes):F3}");
        text.AppendLine(c, $"- localStateAvailability: {LocalStateAvailability:F3} (target >= 0.95)");
        text.AppendLine(c, $"- throughputGainVsCentral: {ThroughputGainVsCentral:F3} (target >= 2.0); ondemand vs central: {ThroughputGain(StateMode.OnDemand, StateMode.Central):F3}");
        return text.ToString();
    }
}
