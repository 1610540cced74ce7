using System.Collections.Concurrent;
using System.Diagnostics;
using MQTTnet.Exceptions;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Lab.Up;
using Skylark.Events.Predictor.Metrics;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// One demo run: the topology comes up (per node Redis, StateSink, functions, MQTT ingest), simulated cameras publish
/// JPEG frames to their nodes' MQTT servers for the set duration, an observer subscribed through a Trigger follows
/// every workflow, and the run ends with a <see cref="DemoReport"/>.
/// </summary>
public sealed class DemoRun(DemoOptions options, ILoggerFactory loggerFactory, TextWriter output)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<DemoRun>();

    public const string ObserverTrigger = "demo-observer";

    /// <summary>How long a killed process may take to serve again before the report says it did not.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentException">Invalid options or topology.</exception>
    public async Task<DemoReport> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var functionTriggers = FunctionTriggers(ResourceLoader.Load([options.EventingPath]));

        var scenes = new ConcurrentDictionary<string, SyntheticScene>(StringComparer.Ordinal);
        var preprocess = PreprocessSettings.Default;
        var sceneOptions = new SyntheticSceneOptions(objectCount: 2);
        var observer = new WorkflowObserver(
            functionTriggers,
            (camera, seq) => scenes.TryGetValue(camera, out var scene) ? scene.TruthAt(seq) : null,
            new DetectionScorer(sceneOptions.Width, sceneOptions.Height, preprocess.TargetWidth, preprocess.TargetHeight),
            TimeProvider.System);
        await using var observerApp = await LocalWebApp.StartAsync(
            "demo-observer", _ => { }, app => observer.Map(app, "/"), minimumLogLevel: options.LogLevel, cancellationToken: cancellationToken);

        await output.WriteLineAsync($"Starting {Path.GetFileName(options.TopologyPath)} in mode '{options.Mode.Name()}' ({options.Serving.Name()} serving, sender identity {(options.Auth ? "on" : "off")})…");
        var up = new UpOptions
            {
                TopologyPath = options.TopologyPath,
                EventingPath = options.EventingPath,
                ManifestsPath = options.ManifestsPath,
                Mode = options.Mode,
                Serving = options.Serving,
                CameraIngest = new CameraIngestSetup { ExternalBroker = options.Mqtt },
                ExtraTriggers = [ObserverTriggerFor(observerApp.Url)],
                WorkDirectory = options.WorkDirectory,
                LogLevel = options.LogLevel,
                ControlNode = options.ControlNode,
                InstantControlPlane = options.InstantControlPlane,
                Auth = options.Auth,
            };
        // The services' own spans are kept for the dashboard's waterfall; it falls back to what the observer saw.
        // In-process a listener records them; as processes they export them over OTLP/HTTP to a receiver that must
        // be up before them, so they know its URL (the dashboard starts after the cluster, which it attaches to).
        // Without a dashboard nobody reads them, so the processes are not asked to export any.
        using var traces = new TraceStore(listen: !options.Processes, sampler: new TraceSampler(options.TracesPerSecond));
        await using var collector = options.Processes && options.Dashboard
            ? await LocalWebApp.StartAsync("trace-collector", _ => { }, app => app.MapOtlpTraces(traces), minimumLogLevel: options.LogLevel, cancellationToken: cancellationToken)
            : null;
        await using var cluster = options.Processes
            ? await ProcessCluster.StartAsync(up with { TraceCollector = collector?.Url }, loggerFactory, cancellationToken)
            : (IUpCluster)await EmulatedCluster.StartAsync(up, loggerFactory, cancellationToken);
        cluster.DeadLettered += (_, deadLetter) => observer.OnDeadLetter(deadLetter);
        RequireTargets(cluster);
        // A comparison's runs share one dashboard; a single run serves its own while it lasts.
        var feed = options.SharedDashboard?.Feed ?? new DashboardFeed();
        using var attached = feed.Attach(cluster, observer, traces);
        await using var dashboard = options.Dashboard && options.SharedDashboard is null
            ? await DashboardApp.StartAsync(feed, minimumLogLevel: options.LogLevel, cancellationToken: cancellationToken)
            : null;
        if (dashboard is not null)
        {
            await output.WriteLineAsync($"Dashboard: {dashboard.Url}");
        }

        await using var alarms = await AlarmListener.StartAsync(cluster.AlarmBrokers.Values, cancellationToken);

        var ingestNodes = cluster.CameraBrokers.Keys.Order(StringComparer.Ordinal).ToList();
        var cameraCount = options.Cameras ?? ingestNodes.Count;
        var cameras = Enumerable.Range(0, cameraCount).Select(i =>
        {
            var id = $"cam-{i + 1}";
            var scene = new SyntheticScene(options.Seed + i, sceneOptions);
            scenes[id] = scene;
            return (Node: ingestNodes[i % ingestNodes.Count], Camera: new CameraSimulator(id, scene, options.FramesPerSecond));
        }).ToList();
        await output.WriteLineAsync(
            $"{cluster.Topology.Nodes.Count} nodes up; {cameraCount} camera(s) at {options.FramesPerSecond:0.##} fps → " +
            string.Join(", ", cameras.Select(c => $"{c.Camera.Camera}@{c.Node}")) + $"; running {options.Duration.TotalSeconds:0} s.");

        var clock = Stopwatch.StartNew();
        long published;
        List<Task<InjectedOutcome>> faults;
        using (var filming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            filming.CancelAfter(options.Duration);
            var publishers = cameras.Select(c => PublishAsync(cluster.CameraBroker(c.Node, c.Camera.Camera), c.Camera, observer, filming.Token)).ToList();
            faults = [.. options.Faults.Select(f => InjectAsync(cluster, f, cancellationToken))];
            var progress = new DemoProgress(output, observer, clock);
            while (!publishers.All(p => p.IsCompleted))
            {
                await Task.WhenAny(Task.WhenAll(publishers), Task.Delay(progress.Interval, cancellationToken));
                progress.Print();
            }

            published = (await Task.WhenAll(publishers)).Sum();
            progress.Finish();
        }

        await output.WriteLineAsync($"Cameras stopped after {published} frames; waiting up to {options.DrainTimeout.TotalSeconds:0} s for running workflows…");
        await DrainAsync(observer, published, cancellationToken);
        var injected = await Task.WhenAll(faults);
        var report = BuildReport(
            cluster,
            observer,
            alarms,
            cameraCount,
            clock.Elapsed,
            await cluster.PredictorMetricsAsync(cancellationToken),
            await cluster.DeadLettersReceivedAsync(cancellationToken)) with
        {
            Faults = [.. injected.Select(f => f.Outcome(observer))],
            FramesAcknowledged = observer.Acknowledged,
            FramesLost = observer.Lost,
        };
        if (options.ReportPath is { } path)
        {
            await report.WriteAsync(path, cancellationToken);
        }

        return report;
    }

    /// <exception cref="ArgumentException">A fault names a process or node the cluster does not have.</exception>
    private void RequireTargets(IUpCluster cluster)
    {
        foreach (var fault in options.Faults)
        {
            IReadOnlyList<string> known = fault.Kind == FaultKind.Kill
                ? ((ProcessCluster)cluster).InstanceNames
                : [.. cluster.Topology.Nodes.Select(n => n.Name)];
            if (!known.Contains(fault.Target, StringComparer.Ordinal))
            {
                throw new ArgumentException($"{fault}: this run has no {(fault.Kind == FaultKind.Kill ? "process" : "node")} called {fault.Target}; it has {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>
    /// Injects the fault at its time: SIGKILLs the process and waits until the supervisor has it serving again, or cuts
    /// the node off for the fault's duration.
    /// </summary>
    private async Task<InjectedOutcome> InjectAsync(IUpCluster cluster, InjectedFault fault, CancellationToken cancellationToken)
    {
        await Task.Delay(fault.At, cancellationToken);
        var started = DateTimeOffset.UtcNow;
        TimeSpan? recovered;
        if (fault.Kind == FaultKind.Kill)
        {
            await output.WriteLineAsync($"Killing {fault.Target} (SIGKILL)…");
            recovered = await ((ProcessCluster)cluster).KillAsync(fault.Target, RecoveryBound, cancellationToken);
            await output.WriteLineAsync(recovered is { } after
                ? $"{fault.Target} is back after {after.TotalSeconds:0.0} s."
                : $"{fault.Target} did not come back within {RecoveryBound.TotalSeconds:0} s.");
        }
        else
        {
            await output.WriteLineAsync($"Cutting {fault.Target} off for {fault.For.TotalSeconds:0.#} s…");
            cluster.Links.Isolate(fault.Target);
            try
            {
                await Task.Delay(fault.For, cancellationToken);
            }
            finally
            {
                cluster.Links.Rejoin(fault.Target);
            }

            recovered = DateTimeOffset.UtcNow - started;
            await output.WriteLineAsync($"{fault.Target}'s links are back.");
        }

        return new InjectedOutcome(fault, started, recovered);
    }

    /// <summary>A fault as it happened; its outcome is read once the run has drained.</summary>
    private sealed record InjectedOutcome(InjectedFault Fault, DateTimeOffset Started, TimeSpan? Recovered)
    {
        public FaultOutcome Outcome(WorkflowObserver observer)
        {
            // Settled: every frame captured before the fault was over has an outcome; measured from the fault.
            var settled = Recovered is { } recovered && observer.LastOutcomeOfFramesCapturedBefore(Started + recovered) is { } last
                ? Math.Round(Math.Max(0, (last - Started).TotalSeconds), 2)
                : (double?)null;
            return new FaultOutcome(
                Fault.Kind == FaultKind.Kill ? "kill" : "cut",
                Fault.Target,
                Fault.At.TotalSeconds,
                Recovered is { } seconds ? Math.Round(seconds.TotalSeconds, 2) : null,
                settled,
                Recovered is { } back ? observer.CompletedCapturedFrom(Started + back) : 0);
        }
    }

    /// <returns>Frames the MQTT broker acknowledged.</returns>
    private async Task<long> PublishAsync(MqttConnection broker, CameraSimulator camera, WorkflowObserver observer, CancellationToken filming)
    {
        await using var publisher = new CameraPublisher(broker, $"skylark-camera-{camera.Camera}");
        long published = 0;
        try
        {
            await foreach (var frame in camera.StreamAsync(cancellationToken: filming))
            {
                try
                {
                    await publisher.PublishAsync(frame, filming);
                    observer.OnAcknowledged(frame.Camera, frame.Seq, frame.CapturedAt);
                    published++;
                }
                catch (MqttCommunicationException) when (filming.IsCancellationRequested)
                {
                    // MQTTnet reports a publish cancelled at the end of the duration as a timeout.
                    break;
                }
                catch (MqttCommunicationException e)
                {
                    // Like a real camera: an unacknowledged frame is not retried, the next one is captured on time.
                    // It may still have arrived; the drain waits for what was acknowledged, the observer counts what came.
                    _logger.LogWarning("Camera {Camera}: frame {Seq} not acknowledged by {Broker}: {Error}", camera.Camera, frame.Seq, broker, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (filming.IsCancellationRequested)
        {
            // The duration is over.
        }

        return published;
    }

    private async Task DrainAsync(WorkflowObserver observer, long published, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.DrainTimeout
               && (observer.Frames + observer.Rejected < published || observer.Unfinished > 0 || observer.Lost > 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private DemoReport BuildReport(
        IUpCluster cluster, WorkflowObserver observer, AlarmListener alarms, int cameras, TimeSpan elapsed, PredictorMetricsSnapshot? predictor, long deadLetters)
    {
        var score = observer.Score;
        return new DemoReport(
            options.Mode.Name(),
            cluster.Topology.Name,
            options.Serving.Name(),
            Math.Round(elapsed.TotalSeconds, 1),
            cameras,
            options.FramesPerSecond,
            observer.Frames,
            new WorkflowCounts(observer.Frames, observer.Completed, observer.Failed, observer.Unfinished),
            LatencySummaryMs.Of(observer.Latencies),
            LatencySummaryMs.Of(observer.ReadWaits),
            new StateReadCounts(observer.LocalReads, observer.WaitedReads, observer.RemoteReads),
            new PredictionSummary(
                predictor?.NodeAccuracy is { } accuracy ? Math.Round(accuracy, 4) : null,
                predictor?.NextFunctionAccuracy is { } next ? Math.Round(next, 4) : null,
                predictor?.Sent ?? 0,
                predictor?.PropagatedBytes ?? 0,
                predictor?.LookAheadCommands ?? 0),
            new BytesMoved(
                cluster.Links.TotalBytes,
                cluster.Links.StateBytes,
                cluster.Links.ControlBytes,
                options.Mode == StateMode.Central ? null : Math.Max(0, cluster.Links.StateBytes - observer.NeededBytes),
                PerLink(cluster, l => l.StateBytes),
                PerLink(cluster, l => l.ControlBytes)),
            new DetectionSummary(
                score.Frames == 0 ? null : Math.Round(score.Precision, 4),
                score.Frames == 0 ? null : Math.Round(score.Recall, 4),
                score.Frames),
            observer.Alarms,
            alarms.Received,
            deadLetters);
    }

    private static Dictionary<string, long> PerLink(IUpCluster cluster, Func<LinkTraffic, long> bytes) =>
        cluster.Links.TrafficPerLink().Where(l => bytes(l) > 0).OrderBy(l => l.Name, StringComparer.Ordinal)
            .ToDictionary(l => l.Name, bytes, StringComparer.Ordinal);

    /// <summary>The Triggers of <paramref name="eventing"/> that deliver to the camera pipeline's functions.</summary>
    public static IReadOnlyList<TriggerResource> FunctionTriggers(EventingModel eventing)
    {
        ArgumentNullException.ThrowIfNull(eventing);
        var functionNames = CameraPipelineFunctions.All.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return [.. eventing.Triggers.Where(t => t.Subscriber.Ref is { } r && functionNames.Contains(r.Name))];
    }

    /// <summary>A Trigger delivering every frame, completion and alarm to <paramref name="observer"/>.</summary>
    public static TriggerResource ObserverTriggerFor(Uri observer) => new(
        new ResourceMeta(ObserverTrigger, SkylarkDefaults.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>()),
        SkylarkDefaults.Broker,
        null,
        [
            new SubscriptionsApiFilter(Any:
            [
                new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { ["type"] = EventTypes.CameraFrame }),
                new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { ["type"] = EventTypes.FunctionCompleted }),
                new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { ["type"] = EventTypes.AlarmRaised }),
            ]),
        ],
        new Destination(null, observer),
        null,
        new ResourceOrigin("(generated by skylark demo)", 0));
}
