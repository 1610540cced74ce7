using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;
using Skylark.Events.State;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// The four-stage workflow on the Databelt testbed's links in every <see cref="WorkflowScenario"/>, every mode side by
/// side: one emulated cluster per mode, all running at once, and the workflows taken in turn (per repetition, per size,
/// one workflow per mode), so drift of this shared machine spreads over all modes alike. Scenarios with the same
/// topology and serving share their clusters (and their warm-up).
/// </summary>
public static class WorkflowBenchmark
{
    private const string TrackerTrigger = "bench-workflow-tracker";

    public static async Task<WorkflowBenchmarkReport> RunAsync(
        WorkflowBenchmarkOptions options, ILoggerFactory loggerFactory, TextWriter? progress, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var steps = new StepProgress("workflow", StepCount(options), time ?? TimeProvider.System);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var payloads = new Payloads();
        var tracker = new WorkflowTracker();
        await using var trackerApp = await LocalWebApp.StartAsync("bench-tracker", _ => { }, app => tracker.Map(app, "/"), cancellationToken: cancellationToken);
        var run = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

        var results = new List<ScenarioResult>();
        TracingComparison? tracing = null;
        foreach (var group in options.Scenarios.GroupBy(s => s.ClusterKey))
        {
            var first = group.First();
            var clusters = new List<ModeCluster>();
            try
            {
                foreach (var mode in options.Modes)
                {
                    clusters.Add(await ModeCluster.StartAsync(options, first, mode, tracker, trackerApp.Url, $"{run}-{results.Count}", loggerFactory, cancellationToken));
                }

                for (var i = 0; i < options.WarmUpWorkflows; i++)
                {
                    foreach (var cluster in clusters)
                    {
                        await cluster.Driver.RunAsync(cluster.NextId(), payloads.Of(options.WarmUpStateBytes), alarm: true, cancellationToken);
                    }
                }

                await Report(progress, $"  {steps.Step()} clusters up ({Path.GetFileName(first.TopologyPath)}, {first.Serving.Name()}): {string.Join(", ", options.Modes.Select(m => m.Name()))}; {options.WarmUpWorkflows} warm-up workflows each ({clock.Elapsed.TotalSeconds:F0} s)");
                foreach (var scenario in group)
                {
                    results.Add(await RunScenarioAsync(scenario, clusters, payloads, progress, steps, cancellationToken));
                }

                if (options.Tracing is { } compare && group.FirstOrDefault(s => s.Name == compare.Scenario) is { } borrowed
                    && clusters.FirstOrDefault(c => c.Mode == compare.Mode) is { } traced)
                {
                    tracing = await CompareTracingAsync(compare, borrowed, traced, payloads, progress, steps, cancellationToken);
                }
            }
            finally
            {
                foreach (var cluster in clusters)
                {
                    await cluster.DisposeAsync();
                }
            }
        }

        // Run grouped by cluster, reported in the order asked for.
        var ordered = options.Scenarios.Select(s => results.Single(r => r.Name == s.Name)).ToList();
        return new WorkflowBenchmarkReport(startedAt, clock.Elapsed, options.WarmUpWorkflows, options.InstantControlPlane, ordered) { Tracing = tracing };
    }

    /// <summary>The steps progress counts: starting and warming each group's clusters, each repetition of a scenario's sizes, each throughput batch.</summary>
    public static int StepCount(WorkflowBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Scenarios.GroupBy(s => s.ClusterKey).Count()
            + options.Scenarios.Sum(s => (s.StateBytes.Count > 0 ? s.Repetitions : 0) + s.Parallelism.Count)
            + (options.Tracing is { } tracing && options.Scenarios.Any(s => s.Name == tracing.Scenario) ? 1 : 0);
    }

    /// <summary>
    /// Traced and untraced workflows in turn on one cluster while the others idle. A trace store listens to every
    /// service in the process, so it exists only while a traced workflow runs (the other clusters start none then).
    /// </summary>
    private static async Task<TracingComparison> CompareTracingAsync(
        TracingComparisonOptions options, WorkflowScenario scenario, ModeCluster cluster, Payloads payloads, TextWriter? progress, StepProgress steps, CancellationToken cancellationToken)
    {
        var untraced = new List<MeasuredWorkflow>();
        var traced = new List<MeasuredWorkflow>();
        var spans = new List<int>();
        for (var pair = 0; pair < options.Pairs; pair++)
        {
            foreach (var recording in pair % 2 == 0 ? new[] { false, true } : [true, false])
            {
                using var store = recording ? new TraceStore() : null;
                var measured = await cluster.MeasureAsync(payloads.Of(options.StateBytes), alarm: true, scenario.Work, cancellationToken);
                (recording ? traced : untraced).Add(measured);
                if (store?.Find(measured.Workflow.WorkflowId) is { } trace)
                {
                    spans.Add(trace.Spans.Count);
                }
            }
        }

        var result = new TracingComparison(
            scenario.Name,
            cluster.Mode.Name(),
            options.StateBytes,
            options.Pairs,
            BenchmarkStatistic.Of(untraced.Select(w => w.Workflow.EndToEndMs)),
            BenchmarkStatistic.Of(traced.Select(w => w.Workflow.EndToEndMs)),
            LatencyCase.Median(untraced.Select(w => w.ReadWaitMs)),
            LatencyCase.Median(traced.Select(w => w.ReadWaitMs)),
            spans.Count == 0 ? 0 : spans.Average());
        await Report(progress, string.Create(CultureInfo.InvariantCulture,
            $"  {steps.Step()} tracing: {result.Mode} p50 {result.UntracedMs.Median:F0} ms untraced, {result.TracedMs.Median:F0} ms traced ({result.P50Ratio:F3}), {result.SpansPerTracedWorkflow:F0} spans per traced workflow"));
        return result;
    }

    private static async Task<ScenarioResult> RunScenarioAsync(
        WorkflowScenario scenario, List<ModeCluster> clusters, Payloads payloads, TextWriter? progress, StepProgress steps, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var latencyRuns = clusters.ToDictionary(c => c.Mode, _ => scenario.StateBytes.ToDictionary(s => s, _ => new List<MeasuredWorkflow>()));
        var index = 0;
        var linksBefore = clusters.ToDictionary(c => c.Mode, c => c.StateBytesPerLink());
        for (var repetition = 0; repetition < scenario.Repetitions; repetition++)
        {
            foreach (var size in scenario.StateBytes)
            {
                // The same workflow number in every mode: the same branch, and the same turn of round-robin serving.
                var alarm = scenario.Alarms(index++);
                foreach (var cluster in clusters)
                {
                    latencyRuns[cluster.Mode][size].Add(await cluster.MeasureAsync(payloads.Of(size), alarm, scenario.Work, cancellationToken));
                }
            }

            if (scenario.StateBytes.Count > 0)
            {
                await Report(progress, string.Create(CultureInfo.InvariantCulture, $"  {steps.Step()} {scenario.Name}: repetition {repetition + 1}/{scenario.Repetitions}"));
            }
        }

        var perLink = clusters.ToDictionary(c => c.Mode, c => LinkBytes.PerLinkBetween(linksBefore[c.Mode], c.StateBytesPerLink()));
        var throughputRuns = clusters.ToDictionary(c => c.Mode, _ => new List<ThroughputCase>());
        foreach (var parallel in scenario.Parallelism)
        {
            foreach (var cluster in clusters)
            {
                var batch = await cluster.MeasureBatchAsync(parallel, payloads.Of(scenario.ThroughputStateBytes), cancellationToken);
                throughputRuns[cluster.Mode].Add(batch);
                await Report(progress, string.Create(CultureInfo.InvariantCulture,
                    $"  {scenario.Name}: {cluster.Mode.Name()} {parallel} parallel → {batch.WorkflowsPerSecond:F3} workflows/s (makespan {batch.MakespanMs:F0} ms)"));
            }

            await Report(progress, $"  {steps.Step()} {scenario.Name}: {parallel} parallel done");
        }

        var modes = clusters.Select(cluster =>
        {
            var runs = latencyRuns[cluster.Mode];
            var latency = scenario.StateBytes.Select(size => LatencyCase.Of(cluster.Mode, size, runs[size])).ToList();
            var all = runs.Values.SelectMany(r => r).ToList();
            var e2e = all.Select(r => r.Workflow.EndToEndMs).ToList();
            return new ModeResult(
                cluster.Mode.Name(),
                latency,
                throughputRuns[cluster.Mode],
                BenchmarkStatistic.Of(e2e),
                LatencyCase.Percentile(e2e, 0.99),
                LatencyCase.Median(all.Select(r => r.ReadWaitMs)),
                ReadSourceCounts.Of(all.SelectMany(r => r.Workflow.Stages)),
                ReadSourceCounts.Of(all.SelectMany(r => r.Workflow.Stages).Where(s => s.InputCrossedLink)),
                LinkBytes.Sum(all.Select(r => r.Bytes)),
                cluster.PredictorMetrics)
            {
                StateBytesPerLink = perLink[cluster.Mode],
            };
        }).ToList();
        foreach (var mode in modes.Where(m => m.Latency.Count > 0))
        {
            await Report(progress, string.Create(CultureInfo.InvariantCulture,
                $"  {scenario.Name}: {mode.Mode,-8} p50 {mode.P50Ms:F0} ms, p99 {mode.P99Ms:F0} ms, read wait {mode.ReadWaitMs:F0} ms, reads {mode.Reads}, wasted {(mode.Bytes.WastedBytes is { } w ? w.ToString("N0", CultureInfo.InvariantCulture) : "-")} B"));
        }

        return new ScenarioResult(
            scenario.Name, Path.GetFileName(scenario.TopologyPath), scenario.Serving.Name(), scenario.StateBytes, scenario.Repetitions,
            scenario.Parallelism, scenario.ThroughputStateBytes, scenario.AlarmEvery, modes, clock.Elapsed)
        {
            OutputItems = scenario.Work.OutputItems,
            ComputeMs = scenario.Work.ComputeTime.TotalMilliseconds,
        };
    }

    private static async Task Report(TextWriter? progress, string line)
    {
        if (progress is not null)
        {
            await progress.WriteLineAsync(line);
        }
    }

    /// <summary>A Trigger delivering every stage completion to the tracker.</summary>
    public static TriggerResource TrackerTriggerFor(Uri tracker) => new(
        new ResourceMeta(TrackerTrigger, SkylarkDefaults.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>()),
        SkylarkDefaults.Broker,
        new Dictionary<string, string> { ["type"] = EventTypes.FunctionCompleted },
        [],
        new Destination(null, tracker),
        null,
        new ResourceOrigin("(generated by skylark bench)", 0));

    /// <summary>Incompressible payloads, like image data (nothing on the path gets a free ride), one per size.</summary>
    private sealed class Payloads
    {
        private readonly Dictionary<long, byte[]> _bySize = [];

        public byte[] Of(long size)
        {
            if (!_bySize.TryGetValue(size, out var payload))
            {
                payload = RandomNumberGenerator.GetBytes(checked((int)size));
                _bySize[size] = payload;
            }

            return payload;
        }
    }

    /// <summary>One mode's cluster in a scenario group, its driver, and the bytes its links carried per workflow.</summary>
    private sealed class ModeCluster : IAsyncDisposable
    {
        private readonly EmulatedCluster _cluster;
        private readonly HttpClient _http;
        private readonly string _idPrefix;
        private int _sequence;

        private ModeCluster(StateMode mode, EmulatedCluster cluster, HttpClient http, WorkflowDriver driver, string idPrefix)
        {
            Mode = mode;
            _cluster = cluster;
            _http = http;
            Driver = driver;
            _idPrefix = idPrefix;
        }

        public StateMode Mode { get; }

        public WorkflowDriver Driver { get; }

        public Predictor.Metrics.PredictorMetricsSnapshot? PredictorMetrics => _cluster.PredictorMetrics;

        public static async Task<ModeCluster> StartAsync(
            WorkflowBenchmarkOptions options, WorkflowScenario scenario, StateMode mode, WorkflowTracker tracker, Uri trackerUrl, string run,
            ILoggerFactory loggerFactory, CancellationToken cancellationToken)
        {
            var cluster = await EmulatedCluster.StartAsync(
                new UpOptions
                {
                    TopologyPath = scenario.TopologyPath,
                    EventingPath = options.EventingPath,
                    Mode = mode,
                    Serving = scenario.Serving,
                    Functions = WorkflowStages.Hosted,
                    ExtraTriggers = [TrackerTriggerFor(trackerUrl)],
                    ConfigureState = WorkflowBenchmarkOptions.ConfigureState,
                    ConfigurePredictor = WorkflowBenchmarkOptions.ConfigurePredictor,
                    WorkDirectory = Path.Combine(options.WorkDirectory, mode.Name()),
                    ControlNode = options.ControlNode,
                    InstantControlPlane = options.InstantControlPlane,
                    BrokerShutdownDrain = TimeSpan.FromSeconds(2),

                    // As before AOF was the default: the modes compare state movement, not the disk.
                    RedisFsync = RedisFsync.Off,
                },
                loggerFactory,
                cancellationToken);
            cluster.DeadLetters.Stored += (_, stored) => tracker.OnDeadLetter(stored.DeadLetter.Event);
            var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            return new ModeCluster(mode, cluster, http, new WorkflowDriver(cluster, tracker, http, options.WorkflowTimeout), $"wf-{mode.Name()}-{run}");
        }

        public string NextId() => $"{_idPrefix}-{++_sequence}";

        /// <summary>One workflow alone on this cluster, with the bytes its links carried while it ran; then its bundles are deleted.</summary>
        public async Task<MeasuredWorkflow> MeasureAsync(ReadOnlyMemory<byte> state, bool alarm, StageWork work, CancellationToken cancellationToken)
        {
            var before = Snapshot();
            var id = NextId();
            var workflow = await Driver.RunAsync(id, state, alarm, work, cancellationToken);
            var bytes = LinkBytes.Between(before, Snapshot(), workflow.Stages, Mode);
            await ForgetAsync([id], cancellationToken);
            return new MeasuredWorkflow(workflow, bytes);
        }

        public async Task<ThroughputCase> MeasureBatchAsync(int parallel, ReadOnlyMemory<byte> state, CancellationToken cancellationToken)
        {
            var before = Snapshot();
            var ids = Enumerable.Range(0, parallel).Select(_ => NextId()).ToList();
            var batch = Stopwatch.GetTimestamp();
            var runs = await Task.WhenAll(ids.Select(id => Driver.RunAsync(id, state, alarm: true, cancellationToken)));
            var makespan = Stopwatch.GetElapsedTime(batch, runs.Max(r => r.Stages[^1].ArrivedAt)).TotalMilliseconds;
            var bytes = LinkBytes.Between(before, Snapshot(), runs.SelectMany(r => r.Stages), Mode);
            await ForgetAsync(ids, cancellationToken);
            return new ThroughputCase(
                Mode.Name(),
                parallel,
                state.Length,
                makespan,
                parallel / (makespan / 1000),
                BenchmarkStatistic.Of(runs.Select(r => r.EndToEndMs)),
                ReadSourceCounts.Of(runs.SelectMany(r => r.Stages)),
                bytes);
        }

        private (long State, long Control) Snapshot() => (_cluster.Links.StateBytes, _cluster.Links.ControlBytes);

        public IReadOnlyDictionary<string, long> StateBytesPerLink() =>
            _cluster.Links.TrafficPerLink().ToDictionary(l => l.Name, l => l.StateBytes, StringComparer.Ordinal);

        /// <summary>
        /// Deletes the workflows' bundles (inputs, outputs, copies) on every node: a run of many large workflows would
        /// otherwise hold gigabytes in the nodes' Redis servers until their time to live.
        /// </summary>
        private async Task ForgetAsync(IReadOnlyList<string> workflowIds, CancellationToken cancellationToken)
        {
            var ids = workflowIds.ToHashSet(StringComparer.Ordinal);
            var stores = _cluster.Topology.Nodes
                .Select(n => _cluster.NodeServices(n.Name).GetRequiredService<BundleStore>())
                .DistinctBy(s => s.Node);
            foreach (var store in stores)
            {
                var doomed = new List<StateRef>();
                await foreach (var bundle in store.ListAsync(_idPrefix, cancellationToken))
                {
                    if (ids.Contains(bundle.StateRef.WorkflowId))
                    {
                        doomed.Add(bundle.StateRef);
                    }
                }

                foreach (var stateRef in doomed)
                {
                    await store.DeleteAsync(stateRef, cancellationToken);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>One latency workflow and the link bytes it caused.</summary>
public sealed record MeasuredWorkflow(WorkflowMeasurement Workflow, LinkBytes Bytes)
{
    /// <summary>How long the workflow's stages waited for their inputs at invocation, in total.</summary>
    public double ReadWaitMs => Workflow.Stages.Where(s => !double.IsNaN(s.ReadMs)).Sum(s => s.ReadMs);
}
