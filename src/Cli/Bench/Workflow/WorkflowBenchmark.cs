using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Skylark.Events.Broker.Resources;
using Skylark.Events.Cli.Hosting;
using Skylark.Events.Cli.Up;
using Skylark.Events.Contracts;

namespace Skylark.Events.Cli.Bench.Workflow;

/// <summary>
/// Issue 7, items 1 and 2: the four-stage workflow on the Databelt testbed's links, per state mode, on one emulated
/// cluster per mode started in turn (same topology, same stages, same limits). Per mode: warm-up workflows, then the
/// latency workflows one at a time (sizes interleaved within each repetition), then the throughput batches.
/// </summary>
public static class WorkflowBenchmark
{
    private const string TrackerTrigger = "bench-workflow-tracker";

    public static async Task<WorkflowBenchmarkReport> RunAsync(
        WorkflowBenchmarkOptions options, ILoggerFactory loggerFactory, TextWriter? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var payloads = new Dictionary<long, byte[]>();
        foreach (var size in options.StateBytes.Append(options.WarmUpStateBytes).Append(options.ThroughputStateBytes).Distinct())
        {
            // Incompressible, like image data: nothing on the path gets a free ride.
            payloads[size] = RandomNumberGenerator.GetBytes(checked((int)size));
        }

        var modes = new List<ModeResult>();
        foreach (var mode in options.Modes)
        {
            modes.Add(await RunModeAsync(options, mode, payloads, loggerFactory, progress, cancellationToken));
        }

        return new WorkflowBenchmarkReport(
            startedAt,
            clock.Elapsed,
            Path.GetFileName(options.TopologyPath),
            options.StateBytes,
            options.Repetitions,
            options.WarmUpWorkflows,
            options.Parallelism,
            options.ThroughputStateBytes,
            modes);
    }

    private static async Task<ModeResult> RunModeAsync(
        WorkflowBenchmarkOptions options,
        StateMode mode,
        Dictionary<long, byte[]> payloads,
        ILoggerFactory loggerFactory,
        TextWriter? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tracker = new WorkflowTracker();
        await using var trackerApp = await LocalWebApp.StartAsync("bench-tracker", _ => { }, app => tracker.Map(app, "/"), cancellationToken: cancellationToken);
        await using var cluster = await EmulatedCluster.StartAsync(
            new UpOptions
            {
                TopologyPath = options.TopologyPath,
                EventingPath = options.EventingPath,
                Mode = mode,
                Functions = WorkflowStages.Hosted,
                ExtraTriggers = [TrackerTriggerFor(trackerApp.Url)],
                ConfigureState = WorkflowBenchmarkOptions.ConfigureState,
                ConfigurePredictor = WorkflowBenchmarkOptions.ConfigurePredictor,
                WorkDirectory = Path.Combine(options.WorkDirectory, mode.Name()),
            },
            loggerFactory,
            cancellationToken);
        cluster.DeadLetters.Observer = tracker.OnDeadLetter;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var driver = new WorkflowDriver(cluster, tracker, http, options.WorkflowTimeout);
        var run = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        var sequence = 0;
        string NextId() => $"wf-{mode.Name()}-{run}-{++sequence}";

        for (var i = 0; i < options.WarmUpWorkflows; i++)
        {
            await driver.RunAsync(NextId(), payloads[options.WarmUpStateBytes], cancellationToken);
        }

        await Report(progress, $"  {mode.Name()}: cluster up, {options.WarmUpWorkflows} warm-up workflows done ({clock.Elapsed.TotalSeconds:F0} s)");

        var linkBytesBefore = cluster.Links.TotalBytes;
        var latencyRuns = options.StateBytes.ToDictionary(s => s, _ => new List<WorkflowMeasurement>());
        for (var repetition = 0; repetition < options.Repetitions; repetition++)
        {
            foreach (var size in options.StateBytes)
            {
                latencyRuns[size].Add(await driver.RunAsync(NextId(), payloads[size], cancellationToken));
            }
        }

        var latencyLinkBytes = cluster.Links.TotalBytes - linkBytesBefore;
        var latency = options.StateBytes.Select(size => LatencyCase.Of(mode, size, latencyRuns[size])).ToList();
        foreach (var l in latency)
        {
            await Report(progress, string.Create(CultureInfo.InvariantCulture,
                $"  {mode.Name()}: {l.StateBytes / (double)WorkflowBenchmarkOptions.Megabyte:0.#} MB end-to-end {l.EndToEndMs.Median:F0} ms [{l.EndToEndMs.Min:F0}..{l.EndToEndMs.Max:F0}]"));
        }

        var throughput = new List<ThroughputCase>();
        foreach (var parallel in options.Parallelism)
        {
            var before = cluster.Links.TotalBytes;
            var batch = Stopwatch.GetTimestamp();
            var runs = await Task.WhenAll(Enumerable.Range(0, parallel)
                .Select(_ => NextId())
                .ToList()
                .Select(id => driver.RunAsync(id, payloads[options.ThroughputStateBytes], cancellationToken)));
            var makespan = Stopwatch.GetElapsedTime(batch, runs.Max(r => r.Stages[^1].ArrivedAt)).TotalMilliseconds;
            var result = new ThroughputCase(
                mode.Name(),
                parallel,
                options.ThroughputStateBytes,
                makespan,
                parallel / (makespan / 1000),
                BenchmarkStatistic.Of(runs.Select(r => r.EndToEndMs)),
                ReadSourceCounts.Of(runs.SelectMany(r => r.Stages)),
                cluster.Links.TotalBytes - before);
            throughput.Add(result);
            await Report(progress, string.Create(CultureInfo.InvariantCulture,
                $"  {mode.Name()}: {parallel} parallel → {result.WorkflowsPerSecond:F3} workflows/s (makespan {makespan:F0} ms)"));
        }

        var latencyStages = latencyRuns.Values.SelectMany(r => r).SelectMany(r => r.Stages).ToList();
        return new ModeResult(
            mode.Name(),
            latency,
            throughput,
            ReadSourceCounts.Of(latencyStages),
            ReadSourceCounts.Of(latencyStages.Where(s => s.Function != WorkflowStages.InOrder[0])),
            latencyLinkBytes,
            cluster.PredictorMetrics,
            clock.Elapsed);
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
}
