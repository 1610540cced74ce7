using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Predictor.Triggers;
using Skylark.Events.Topology;

namespace Skylark.Events.Benchmarks;

/// <summary>What <see cref="PredictorBenchmark.RunAsync"/> measures and on what.</summary>
public sealed record PredictorBenchmarkOptions
{
    /// <summary>Folder with Databelt's <c>graph_{10,100,1000,10000}.json</c> (the shared anchors).</summary>
    public required string GraphDirectory { get; init; }

    /// <summary>Trigger YAML for the decision benchmark (the repository's <c>eventing/</c>).</summary>
    public required string EventingPath { get; init; }

    /// <summary>Topology for the decision benchmark (<c>topologies/databelt-testbed.yaml</c>: 7 rotating snapshots).</summary>
    public required string TopologyPath { get; init; }

    public IReadOnlyList<int> GraphSizes { get; init; } = [10, 100, 1000, 10000];

    /// <summary>Timed samples per measurement (after one untimed warm-up run).</summary>
    public int Repetitions { get; init; } = 21;

    /// <summary>Elections per warm sample (the per-call time is the sample's mean).</summary>
    public int WarmElectionsPerSample { get; init; } = 1000;

    /// <summary>Completion events per decision-latency repetition.</summary>
    public int CompletionsPerRepetition { get; init; } = 3000;

    /// <summary>Size of the bundle elected for, bytes (Databelt's README example request uses 5,000).</summary>
    public long BundleBytes { get; init; } = 5_000;

    /// <summary>Bandwidth given to every arc of the benchmark graphs, which carry none (Databelt's satellite links: 90 Mbit/s).</summary>
    public double GraphBandwidthMbps { get; init; } = 90;

    public SloSettings Slo { get; init; } = SloSettings.Databelt;
}

/// <summary>Summary of timing samples. Units are in the owning property's name.</summary>
public sealed record TimingStats(int Samples, double Median, double Min, double P10, double P90, double Max)
{
    public static TimingStats Of(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new TimingStats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = samples.Order().ToArray();
        return new TimingStats(sorted.Length, Quantile(sorted, 0.5), sorted[0], Quantile(sorted, 0.1), Quantile(sorted, 0.9), sorted[^1]);
    }

    /// <summary>Linear interpolation between closest ranks.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    public string Format(string unit, string numberFormat = "0.###") =>
        string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(numberFormat, CultureInfo.InvariantCulture)} {unit} (p10–p90 {P10.ToString(numberFormat, CultureInfo.InvariantCulture)}–{P90.ToString(numberFormat, CultureInfo.InvariantCulture)}, max {Max.ToString(numberFormat, CultureInfo.InvariantCulture)}, n={Samples})");
}

/// <summary>Election on one Databelt benchmark graph.</summary>
/// <param name="Nodes">Graph size.</param>
/// <param name="Arcs">Directed arcs.</param>
/// <param name="Source">Holder, as in the original benchmark.</param>
/// <param name="Destination">Destination, as in the original benchmark.</param>
/// <param name="Outcome">The election's outcome.</param>
/// <param name="Elected">Elected node, or null.</param>
/// <param name="PathHops">Hops of the shortest path source → destination.</param>
/// <param name="OriginalMs">What the original election took on this graph (Databelt's reported time).</param>
/// <param name="PrecomputeMs">Per-snapshot precomputation: building the graph from the parsed JSON.</param>
/// <param name="ColdMs">One election on a fresh snapshot graph: shortest-path tree from the source plus the walk (what the original timed).</param>
/// <param name="WarmMicroseconds">One election once the source's tree is cached for the snapshot: the walk only.</param>
/// <param name="PrecomputeAndColdMs">Precompute plus cold election of the same repetition: the first election on a new snapshot, graph build included.</param>
public sealed record ElectionTiming(
    int Nodes,
    int Arcs,
    string Source,
    string Destination,
    ElectionOutcome Outcome,
    string? Elected,
    int PathHops,
    double OriginalMs,
    TimingStats PrecomputeMs,
    TimingStats ColdMs,
    TimingStats WarmMicroseconds,
    TimingStats PrecomputeAndColdMs);

/// <summary>Decision latency of <see cref="NextHopPredictor.Observe"/> per completion event.</summary>
/// <param name="Completions">Events per repetition.</param>
/// <param name="Repetitions">Repetitions, each on a fresh predictor.</param>
/// <param name="PerEventMicroseconds">All events of all repetitions.</param>
/// <param name="RepetitionMedianMicroseconds">Spread of the per-repetition medians.</param>
/// <param name="CommandsPerCompletion">Mean propagate commands per completion.</param>
/// <param name="BytesPerCompletion">Mean bundle bytes planned per completion.</param>
public sealed record DecisionLatency(
    int Completions,
    int Repetitions,
    TimingStats PerEventMicroseconds,
    TimingStats RepetitionMedianMicroseconds,
    double CommandsPerCompletion,
    double BytesPerCompletion);

public sealed record PredictorBenchmarkReport(string Machine, DateTimeOffset At, PredictorBenchmarkOptions Options, IReadOnlyList<ElectionTiming> Elections, DecisionLatency Decisions)
{
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine}. Measured {At:yyyy-MM-dd}; {Options.Repetitions} timed repetitions after a warm-up, median with p10–p90 and max.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Election ({Options.BundleBytes} B bundle, every arc {Options.GraphBandwidthMbps} Mbit/s, SLO {Options.Slo}):");
        text.AppendLine();
        text.AppendLine("| nodes | arcs | pair | hops | outcome | original | precompute per snapshot | cold election | precompute + cold | warm election |");
        text.AppendLine("|---:|---:|---|---:|---|---:|---|---|---|---|");
        foreach (var e in Elections)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {e.Nodes:N0} | {e.Arcs:N0} | {e.Source} → {e.Destination} | {e.PathHops} | {e.Outcome}{(e.Elected is null ? "" : $" {e.Elected}")} | {e.OriginalMs:0} ms | {e.PrecomputeMs.Format("ms")} | {e.ColdMs.Format("ms")} | {e.PrecomputeAndColdMs.Format("ms")} | {e.WarmMicroseconds.Format("µs")} |");
        }

        text.AppendLine();
        var d = Decisions;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Decision latency per completion ({d.Completions} events × {d.Repetitions} repetitions, Databelt testbed topology, shipped Triggers): {d.PerEventMicroseconds.Format("µs", "0.0")}; per-repetition medians {d.RepetitionMedianMicroseconds.Min:0.0}–{d.RepetitionMedianMicroseconds.Max:0.0} µs; {d.CommandsPerCompletion:0.00} commands and {d.BytesPerCompletion:N0} B per completion.");
        return text.ToString();
    }
}

/// <summary>
/// Times the Predictor: elections on Databelt's benchmark graphs (the same source/destination pairs the original
/// benchmark used, graph already in memory, as the original timed it) and the decision per completion event.
/// </summary>
public static class PredictorBenchmark
{
    /// <summary>Databelt's reported election times (ms) per graph size.</summary>
    public static IReadOnlyDictionary<int, double> OriginalElectionMs { get; } = new Dictionary<int, double>
    {
        [10] = 1,
        [100] = 13,
        [1000] = 162,
        [10000] = 832,
    };

    /// <summary>Times every graph and the decisions; with a <c>progress</c> writer, says after each how many are left and about how long they take.</summary>
    public static async Task<PredictorBenchmarkReport> RunAsync(
        PredictorBenchmarkOptions options, CancellationToken cancellationToken = default, TextWriter? progress = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repetitions, 1);
        var steps = new StepProgress("predictor", options.GraphSizes.Count + 1, time ?? TimeProvider.System);
        var elections = new List<ElectionTiming>();
        foreach (var size in options.GraphSizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            elections.Add(TimeElection(options, size));
            if (progress is not null)
            {
                await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {steps.Step()} elections on {size:N0} nodes"));
            }

            await Task.Yield();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var decisions = TimeDecisions(options, cancellationToken);
        if (progress is not null)
        {
            await progress.WriteLineAsync($"  {steps.Step()} decisions per completion");
        }

        return new PredictorBenchmarkReport(DescribeMachine(), DateTimeOffset.UtcNow, options, elections, decisions);
    }

    private static ElectionTiming TimeElection(PredictorBenchmarkOptions options, int size)
    {
        var path = Path.Combine(options.GraphDirectory, $"graph_{size}.json");
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var (sourceName, destinationName) = DatabeltGraphFile.BenchmarkPairs.TryGetValue(size, out var pair) ? pair : ("Node1", $"Node{size}");

        var precompute = new List<double>();
        var cold = new List<double>();
        var warm = new List<double>();
        var precomputeAndCold = new List<double>();
        ElectionResult result = default;
        ElectionGraph? graph = null;
        for (var run = 0; run <= options.Repetitions; run++)
        {
            Collect();
            var started = Stopwatch.GetTimestamp();
            graph = new ElectionGraph(DatabeltGraphFile.Parse(json.RootElement, path, options.GraphBandwidthMbps));
            var built = Stopwatch.GetElapsedTime(started);

            var source = graph.Graph.IndexOf(sourceName);
            var destination = graph.Graph.IndexOf(destinationName);
            started = Stopwatch.GetTimestamp();
            result = StateElection.Elect(graph, source, destination, options.BundleBytes, options.Slo);
            var first = Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < options.WarmElectionsPerSample; i++)
            {
                result = StateElection.Elect(graph, source, destination, options.BundleBytes, options.Slo);
            }

            var repeated = Stopwatch.GetElapsedTime(started);
            if (run > 0)
            {
                precompute.Add(built.TotalMilliseconds);
                cold.Add(first.TotalMilliseconds);
                warm.Add(repeated.TotalMicroseconds / options.WarmElectionsPerSample);
                precomputeAndCold.Add((built + first).TotalMilliseconds);
            }
        }

        var tree = graph!.PathsFrom(graph.Graph.IndexOf(sourceName));
        return new ElectionTiming(
            graph.Graph.NodeCount,
            graph.Graph.ArcCount,
            sourceName,
            destinationName,
            result.Outcome,
            result.IsElected ? graph.Graph.NameOf(result.Node) : null,
            tree.PathTo(graph.Graph.IndexOf(destinationName)).Length - 1,
            OriginalElectionMs.GetValueOrDefault(size, double.NaN),
            TimingStats.Of(precompute),
            TimingStats.Of(cold),
            TimingStats.Of(warm),
            TimingStats.Of(precomputeAndCold));
    }

    private static DecisionLatency TimeDecisions(PredictorBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var topology = TopologyLoader.Load(options.TopologyPath);
        var model = ResourceLoader.Load([options.EventingPath]);
        var epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var completions = Workload(topology, epoch, options.CompletionsPerRepetition);
        var all = new List<double>();
        var medians = new List<double>();
        long commands = 0;
        long bytes = 0;
        for (var run = 0; run <= options.Repetitions; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var predictorOptions = new PredictorOptions { Slo = options.Slo };
            var predictor = new NextHopPredictor(
                new TriggerSuccessors(model, predictorOptions.Broker, predictorOptions.IgnoredSubscribers, predictorOptions.BrokerNamespace),
                predictorOptions,
                new SnapshotElectionGraphs(new SnapshotSchedule(topology, epoch)));
            var samples = new double[completions.Count];
            Collect();
            for (var i = 0; i < completions.Count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var decision = predictor.Observe(completions[i]);
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                if (run > 0)
                {
                    commands += decision.Commands.Count;
                    bytes += decision.Commands.Sum(c => c.Bytes);
                }
            }

            if (run > 0)
            {
                all.AddRange(samples);
                medians.Add(TimingStats.Of(samples).Median);
            }
        }

        var decided = (double)options.Repetitions * completions.Count;
        return new DecisionLatency(completions.Count, options.Repetitions, TimingStats.Of(all), TimingStats.Of(medians), commands / decided, bytes / decided);
    }

    /// <summary>
    /// The shipped pipeline on the given topology: 4 cameras ingested on the first satellite every 250 ms;
    /// detect on the satellite with the ground link in the current snapshot; alarm on the cloud for 25% of frames.
    /// </summary>
    private static List<Completion> Workload(NetworkTopology topology, DateTimeOffset epoch, int count)
    {
        var schedule = new SnapshotSchedule(topology, epoch);
        var cloud = topology.NodesOfType(NodeType.Cloud).FirstOrDefault()?.Name ?? topology.Nodes[0].Name;
        var ingest = topology.NodesHosting("preprocess").FirstOrDefault()?.Name ?? topology.Nodes[^1].Name;
        var random = new Random(20260101);
        var completions = new List<Completion>(count);
        for (var frame = 0; completions.Count < count; frame++)
        {
            var camera = $"cam-{frame % 4}";
            var workflow = $"{camera}-{frame:D6}";
            var time = epoch + TimeSpan.FromMilliseconds(frame * 250.0 / 4);
            var snapshot = schedule.At(time);
            var detectNode = snapshot.Links.FirstOrDefault(l => l.A == cloud || l.B == cloud)?.Other(cloud) ?? ingest;

            var frameRef = new StateRef(ingest, workflow, "preprocess.frame");
            completions.Add(Completion("preprocess", workflow, ingest, camera, time.AddMilliseconds(15), frameRef, [], [(frameRef, 76_800)], null));

            var background = new StateRef(detectNode, $"camera-{camera}", "detect.background");
            var result = new StateRef(detectNode, workflow, "detect.result");
            var detected = random.NextDouble() < 0.25;
            completions.Add(Completion(
                "detect", workflow, detectNode, camera, time.AddMilliseconds(55), result,
                [(frameRef, "remote"), (background, "local")], [(background, 384_024), (result, 400)], detected ? "true" : "false"));
            if (detected)
            {
                var notice = new StateRef(cloud, workflow, "alarm.notice");
                completions.Add(Completion("alarm", workflow, cloud, camera, time.AddMilliseconds(100), notice, [(result, "remote")], [(notice, 150)], null));
            }
        }

        return completions.Take(count).ToList();
    }

    private static Completion Completion(
        string function,
        string workflow,
        string node,
        string camera,
        DateTimeOffset time,
        StateRef output,
        (StateRef Ref, string Source)[] reads,
        (StateRef Ref, long Bytes)[] writes,
        string? detected)
    {
        var cloudEvent = new CloudEvent
        {
            Id = $"{function}-{workflow}",
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
            Time = time,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(
                new
                {
                    reads = reads.Select(r => new { @ref = r.Ref.ToString(), source = r.Source }),
                    writes = writes.Select(w => new { @ref = w.Ref.ToString(), bytes = w.Bytes }),
                },
                ContractJson.Options),
        };
        cloudEvent[ExtensionNames.WorkflowId] = workflow;
        cloudEvent[ExtensionNames.Function] = function;
        cloudEvent[ExtensionNames.Node] = node;
        cloudEvent[ExtensionNames.StateKey] = output.ToString();
        cloudEvent[ExtensionNames.StateNode] = output.Node;
        cloudEvent[ExtensionNames.Camera] = camera;
        if (detected is not null)
        {
            cloudEvent[ExtensionNames.Detected] = detected;
        }

        return CompletionReader.Read(cloudEvent, time);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static string DescribeMachine()
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})");
    }
}
