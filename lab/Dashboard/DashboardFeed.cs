using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Dashboard;

/// <summary>
/// What the dashboard shows, gathered from a run: the <see cref="WorkflowObserver"/>'s workflows and the cluster's
/// topology, link traffic, Predictor and dead letters. <see cref="TickAsync"/> turns it into one JSON snapshot a second;
/// everything that grows with the run is kept in ring buffers or fixed histograms, so a long run costs no more memory.
/// </summary>
public sealed class DashboardFeed
{
    public const int RecentWorkflowCapacity = 500;
    public const int WorkflowsPerSnapshot = 40;
    public const int SeriesCapacity = 300;
    public const int DeadLetterCapacity = 50;
    private const int MaxRepliesPerWorkflow = 16;

    /// <summary>Upper bounds (ms) of the latency histogram's bins; a last bin holds everything slower.</summary>
    public static readonly IReadOnlyList<double> HistogramBoundsMs = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000];

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RecentWorkflow> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    // Kept across runs, so `skylark demo --compare` shows every mode run so far side by side. These are per mode, and
    // there are only as many modes as StateMode has, so they stay bounded however many runs attach.
    private readonly Dictionary<string, long[]> _histograms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RingBuffer<SeriesPoint>> _modeSeries = new(StringComparer.Ordinal);
    private readonly List<string> _modes = [];
    private readonly List<double> _endedThisTick = [];
    private RunState _run;
    private IReadOnlyList<string>? _plannedModes;
    private long _tickCount;
    private string _current = "{}";

    /// <summary>A feed with no run yet: <see cref="Attach(IUpCluster, WorkflowObserver, TraceStore?)"/> gives it one.</summary>
    public DashboardFeed(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _run = new RunState(null, _time.GetUtcNow());
    }

    /// <summary>A feed following <paramref name="observer"/> from now; <see cref="Attach(IUpCluster)"/> adds the cluster once it is up.</summary>
    public DashboardFeed(WorkflowObserver observer, TimeProvider? timeProvider = null)
        : this(timeProvider)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _run = new RunState(observer, _time.GetUtcNow());
        Subscribe(_run);
    }

    /// <summary>The latest snapshot, as sent on <c>/api/events</c>.</summary>
    public string Current => Volatile.Read(ref _current);

    /// <summary>Snapshots made so far; a client sends a snapshot when this has moved.</summary>
    public long Ticks => Interlocked.Read(ref _tickCount);

    public IUpCluster? Cluster => Volatile.Read(ref _run).Cluster;

    /// <summary>The spans the attached run's services record; null when it keeps none or no run is attached.</summary>
    public TraceStore? RunTraces => Volatile.Read(ref _run).Traces;

    /// <summary>
    /// The modes a comparison will run, in order, so the page can say which of them is running; null for a single run.
    /// </summary>
    public IReadOnlyList<string>? PlannedModes
    {
        get => Volatile.Read(ref _plannedModes);
        set => Volatile.Write(ref _plannedModes, value is null ? null : [.. value]);
    }

    /// <summary>
    /// The cluster this run observes. <c>skylark up</c> starts the dashboard before the cluster (the observer's Trigger
    /// needs the dashboard's URL), so the cluster comes later; until then the topology is unknown.
    /// </summary>
    public void Attach(IUpCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        AttachCluster(Volatile.Read(ref _run), cluster);
    }

    /// <summary>
    /// A new run to follow: its cluster, its observer and the spans its services record. The figures, workflows, links
    /// and dead letters are the new run's from now on; each mode's latency series and histogram stay, so a comparison's
    /// modes are seen side by side. Disposing the result detaches the cluster (the run is over and its cluster about to
    /// go); its last figures stay on the page until the next run attaches.
    /// </summary>
    public IDisposable Attach(IUpCluster cluster, WorkflowObserver observer, TraceStore? traces = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(observer);
        // The mode is known before the first workflow of the run can end, so every latency lands in its mode's bins.
        var run = new RunState(observer, _time.GetUtcNow()) { Traces = traces, Mode = cluster.Mode.Name() };
        lock (_gate)
        {
            var previous = _run;
            Unsubscribe(previous);
            DetachCluster(previous);
            _recent.Clear();
            _recentOrder.Clear();
            _endedThisTick.Clear();
            Volatile.Write(ref _run, run);
        }

        Subscribe(run);
        AttachCluster(run, cluster);
        return new Detacher(this, run);
    }

    private void AttachCluster(RunState run, IUpCluster cluster)
    {
        run.DeadLettered = (_, dead) => OnDeadLetter(run, dead);
        cluster.DeadLettered += run.DeadLettered;
        var mode = cluster.Mode.Name();
        lock (_gate)
        {
            run.Topology = TopologyOf(cluster);
            run.Mode = mode;
            if (!_modes.Contains(mode))
            {
                _modes.Add(mode);
            }

            // A mode run again replaces its earlier series: the chart compares runs of different modes.
            _modeSeries[mode] = run.Series;
        }

        Volatile.Write(ref run.Cluster, cluster);
    }

    private static void DetachCluster(RunState run)
    {
        if (Interlocked.Exchange(ref run.Cluster, null) is { } cluster && run.DeadLettered is { } handler)
        {
            cluster.DeadLettered -= handler;
        }

        run.Traces = null;
    }

    private void Subscribe(RunState run)
    {
        if (run.Observer is not { } observer)
        {
            return;
        }

        observer.FrameObserved += run.OnFrame = (_, frame) => OnFrame(frame);
        observer.ReplyObserved += run.OnReply = (_, reply) => OnReply(reply);
        observer.WorkflowEnded += run.OnEnded = (_, outcome) => OnEnded(outcome);
    }

    private static void Unsubscribe(RunState run)
    {
        if (run.Observer is not { } observer)
        {
            return;
        }

        observer.FrameObserved -= run.OnFrame;
        observer.ReplyObserved -= run.OnReply;
        observer.WorkflowEnded -= run.OnEnded;
    }

    /// <summary>Makes snapshots once a second until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            do
            {
                await TickAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The dashboard is stopping.
        }
    }

    /// <summary>
    /// The topology as drawn: nodes by type, every physical link of any snapshot once. It is the last attached run's,
    /// also after its cluster has gone, so a comparison's page keeps its picture between two runs.
    /// </summary>
    public TopologyView? Topology() => Volatile.Read(ref _run).Topology;

    private static TopologyView TopologyOf(IUpCluster cluster)
    {
        var topology = cluster.Topology;
        var types = topology.Nodes.ToDictionary(n => n.Name, n => n.Type, StringComparer.Ordinal);
        return new TopologyView(
            topology.Name,
            cluster.Mode.Name(),
            cluster.ControlNode,
            [.. topology.Nodes.Select(n => new NodeView(n.Name, TypeName(n.Type), n.Functions))],
            [.. PhysicalLinks(topology).Select(l => new LinkView($"{l.A}->{l.B}", l.A, l.B, GroundSatellite(l, types)))]);
    }

    /// <summary>The satellite of a link between a satellite and a ground node (cloud or edge); null for any other link.</summary>
    private static string? GroundSatellite(Link link, Dictionary<string, NodeType> types) =>
        (types.GetValueOrDefault(link.A), types.GetValueOrDefault(link.B)) switch
        {
            (NodeType.Sat, not NodeType.Sat) => link.A,
            (not NodeType.Sat, NodeType.Sat) => link.B,
            _ => null,
        };

    /// <summary>One workflow as the observer saw it, or null when it is not among the recent ones kept.</summary>
    internal RecentWorkflowView? Find(string workflowId)
    {
        lock (_gate)
        {
            return _recent.TryGetValue(workflowId, out var workflow) ? workflow.View(includeReplies: true) : null;
        }
    }

    public async Task TickAsync(CancellationToken cancellationToken)
    {
        // One run's figures per snapshot, even when another run attaches meanwhile.
        var run = Volatile.Read(ref _run);
        var observer = run.Observer;
        var now = _time.GetUtcNow();
        var completed = observer?.Completed ?? 0;
        var perSecond = completed - run.LastCompleted;
        run.LastCompleted = completed;
        double? p50;
        int ended;
        lock (_gate)
        {
            ended = _endedThisTick.Count;
            p50 = ended == 0 ? null : Percentile(_endedThisTick, 0.5);
            _endedThisTick.Clear();
        }

        var elapsed = (now - run.StartedAt).TotalSeconds;
        if (!run.Ended)
        {
            // A finished run's series ends with it: the seconds until the next mode's cluster is up are no part of it.
            run.Series.Add(new SeriesPoint(Math.Round(elapsed, 1), perSecond, p50 is { } p ? Math.Round(p, 1) : null));
        }

        var cluster = run.Cluster;
        if (cluster is not null)
        {
            await ReadPredictorAsync(run, cluster, cancellationToken);
        }

        var localReads = observer?.LocalReads ?? 0;
        var reads = localReads + (observer?.WaitedReads ?? 0) + (observer?.RemoteReads ?? 0);
        List<string> modes;
        Dictionary<string, IReadOnlyList<SeriesPoint>> modeSeries;
        lock (_gate)
        {
            modes = [.. _modes];
            modeSeries = _modeSeries.ToDictionary(s => s.Key, s => s.Value.Items(), StringComparer.Ordinal);
        }

        var snapshot = new DashboardSnapshot(
            now,
            Math.Round(elapsed, 1),
            run.Mode,
            cluster?.Clock.Current.Name,
            new CountersView(
                observer?.Frames ?? 0,
                completed,
                observer?.Failed ?? 0,
                observer?.Unfinished ?? 0,
                observer?.Alarms ?? 0,
                localReads,
                observer?.WaitedReads ?? 0,
                observer?.RemoteReads ?? 0,
                Interlocked.Read(ref run.DeadLetterCount)),
            perSecond,
            reads == 0 ? null : Math.Round((double)localReads / reads, 4),
            run.NodeAccuracy is { } node ? Math.Round(node, 4) : null,
            run.NextFunctionAccuracy is { } next ? Math.Round(next, 4) : null,
            cluster is null ? [] : LinkStates(run, cluster),
            run.Series.Items(),
            HistogramBoundsMs,
            Histograms(),
            RecentWorkflows(),
            run.DeadLetters.Items(),
            modes,
            modeSeries,
            PlannedModes);
        Volatile.Write(ref _current, JsonSerializer.Serialize(snapshot, Json));
        Interlocked.Increment(ref _tickCount);
    }

    private static async Task ReadPredictorAsync(RunState run, IUpCluster cluster, CancellationToken cancellationToken)
    {
        // A slow or restarting Predictor must not hold up the snapshot: the last figures stand until it answers.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            if (await cluster.PredictorMetricsAsync(bound.Token) is { } metrics)
            {
                run.NodeAccuracy = metrics.NodeAccuracy;
                run.NextFunctionAccuracy = metrics.NextFunctionAccuracy;
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            // Keep the last figures; a comparison's run may be stopping its cluster right now.
        }
    }

    private static List<LinkStateView> LinkStates(RunState run, IUpCluster cluster)
    {
        var traffic = cluster.Links.TrafficPerLink().ToDictionary(t => t.Name, StringComparer.Ordinal);
        var current = cluster.Clock.Current;
        var isolated = cluster.Links.Isolated;
        var states = new List<LinkStateView>();
        foreach (var link in PhysicalLinks(cluster.Topology))
        {
            var up = current.FindLink(link.A, link.B) is { } live && !isolated.Contains(link.A) && !isolated.Contains(link.B) ? live : null;
            var forward = Delta(run, $"{link.A}->{link.B}", traffic);
            var backward = Delta(run, $"{link.B}->{link.A}", traffic);
            states.Add(new LinkStateView(
                $"{link.A}->{link.B}",
                up is not null,
                up?.LatencyMs,
                up?.BandwidthMbps,
                forward.State + forward.Control + backward.State + backward.Control,
                forward.State,
                backward.State));
        }

        return states;
    }

    /// <summary>Bytes that crossed one direction of a link since the last snapshot.</summary>
    private static (long State, long Control) Delta(RunState run, string name, Dictionary<string, Emulation.LinkTraffic> traffic)
    {
        var now = traffic.TryGetValue(name, out var t) ? (t.StateBytes, t.ControlBytes) : (0L, 0L);
        var before = run.LastTraffic.GetValueOrDefault(name);
        run.LastTraffic[name] = now;
        return (Math.Max(0, now.Item1 - before.State), Math.Max(0, now.Item2 - before.Control));
    }

    private Dictionary<string, long[]> Histograms()
    {
        lock (_gate)
        {
            return _histograms.ToDictionary(h => h.Key, h => (long[])h.Value.Clone(), StringComparer.Ordinal);
        }
    }

    private List<RecentWorkflowView> RecentWorkflows()
    {
        lock (_gate)
        {
            return [.. _recentOrder.Reverse().Take(WorkflowsPerSnapshot).Select(id => _recent[id].View(includeReplies: false))];
        }
    }

    private void OnFrame(ObservedFrame frame)
    {
        lock (_gate)
        {
            var workflow = Track(frame.WorkflowId);
            workflow.Camera = frame.Camera;
            workflow.Seq = frame.Seq;
            workflow.CapturedAt = frame.CapturedAt;
            if (workflow.EndedAt is { } ended && workflow.Completed == true && workflow.LatencyMs is null)
            {
                // The last reply came before the frame event: the latency is known only now.
                RecordLatency(workflow, (ended - frame.CapturedAt).TotalMilliseconds);
            }
        }
    }

    private void OnReply(ObservedReply reply)
    {
        lock (_gate)
        {
            var workflow = Track(reply.WorkflowId);
            if (workflow.Replies.Count < MaxRepliesPerWorkflow)
            {
                workflow.Replies.Add(reply);
            }
        }
    }

    private void OnEnded(ObservedOutcome outcome)
    {
        lock (_gate)
        {
            var workflow = Track(outcome.WorkflowId);
            workflow.Completed = outcome.Completed;
            workflow.EndedAt = outcome.At;
            if (outcome.LatencyMs is { } latency)
            {
                RecordLatency(workflow, latency);
            }
            else if (outcome.Completed && workflow.CapturedAt is { } captured)
            {
                RecordLatency(workflow, (outcome.At - captured).TotalMilliseconds);
            }
        }
    }

    private void OnDeadLetter(RunState run, CloudEvent dead)
    {
        Interlocked.Increment(ref run.DeadLetterCount);
        var code = dead["knativeerrorcode"]?.ToString();
        var data = dead["knativeerrordata"]?.ToString();
        var reason = string.Join(": ", new[] { code is null ? null : $"HTTP {code}", Truncate(DecodeErrorData(data), 160) }.Where(s => !string.IsNullOrEmpty(s)));
        run.DeadLetters.Add(new DeadLetterView(
            _time.GetUtcNow(),
            dead[ExtensionNames.WorkflowId] as string,
            dead.Type ?? "",
            dead["knativeerrordest"]?.ToString(),
            reason.Length == 0 ? "no reason given" : reason));
    }

    /// <summary><c>knativeerrordata</c> is base64 of the response body or the dispatch error; shown as text when it is.</summary>
    private static string? DecodeErrorData(string? data)
    {
        if (data is null)
        {
            return null;
        }

        var buffer = new byte[data.Length];
        return Convert.TryFromBase64String(data, buffer, out var written) ? System.Text.Encoding.UTF8.GetString(buffer, 0, written) : data;
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max] + "…";

    private void RecordLatency(RecentWorkflow workflow, double latencyMs)
    {
        workflow.LatencyMs = latencyMs;
        _endedThisTick.Add(latencyMs);
        if (_endedThisTick.Count > 10_000)
        {
            // A stalled ticker must not let this grow: the oldest samples of the second matter least.
            _endedThisTick.RemoveRange(0, 5_000);
        }

        var mode = _run.Mode ?? "unknown";
        if (!_histograms.TryGetValue(mode, out var bins))
        {
            _histograms[mode] = bins = new long[HistogramBoundsMs.Count + 1];
        }

        var bin = 0;
        while (bin < HistogramBoundsMs.Count && latencyMs > HistogramBoundsMs[bin])
        {
            bin++;
        }

        bins[bin]++;
    }

    private RecentWorkflow Track(string id)
    {
        if (_recent.TryGetValue(id, out var existing))
        {
            return existing;
        }

        while (_recentOrder.Count >= RecentWorkflowCapacity)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        var workflow = new RecentWorkflow(id);
        _recent[id] = workflow;
        _recentOrder.Enqueue(id);
        return workflow;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Clamp(Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Every physical link of any snapshot once, in the order the topology first names it.</summary>
    private static List<Link> PhysicalLinks(NetworkTopology topology)
    {
        var seen = new HashSet<(string, string)>();
        var links = new List<Link>();
        foreach (var link in topology.Snapshots.SelectMany(s => s.Links))
        {
            var key = string.CompareOrdinal(link.A, link.B) <= 0 ? (link.A, link.B) : (link.B, link.A);
            if (seen.Add(key))
            {
                links.Add(link);
            }
        }

        return links;
    }

    private static string TypeName(NodeType type) => type switch
    {
        NodeType.Cloud => "cloud",
        NodeType.Sat => "satellite",
        _ => "edge",
    };

    /// <summary>What the feed follows of one run, and what only its snapshots touch (so a new run starts clean).</summary>
    private sealed class RunState(WorkflowObserver? observer, DateTimeOffset startedAt)
    {
        public IUpCluster? Cluster;
        public long DeadLetterCount;
        public volatile bool Ended;

        public WorkflowObserver? Observer { get; } = observer;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public TraceStore? Traces { get; set; }

        public string? Mode { get; set; }

        public TopologyView? Topology { get; set; }

        public EventHandler<CloudEvent>? DeadLettered { get; set; }

        public EventHandler<ObservedFrame>? OnFrame { get; set; }

        public EventHandler<ObservedReply>? OnReply { get; set; }

        public EventHandler<ObservedOutcome>? OnEnded { get; set; }

        public RingBuffer<SeriesPoint> Series { get; } = new(SeriesCapacity);

        public RingBuffer<DeadLetterView> DeadLetters { get; } = new(DeadLetterCapacity);

        public long LastCompleted { get; set; }

        public Dictionary<string, (long State, long Control)> LastTraffic { get; } = new(StringComparer.Ordinal);

        public double? NodeAccuracy { get; set; }

        public double? NextFunctionAccuracy { get; set; }
    }

    /// <summary>Detaches a run's cluster when the run is over, unless another run has attached since.</summary>
    private sealed class Detacher(DashboardFeed feed, RunState run) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._gate)
            {
                run.Ended = true;
                if (ReferenceEquals(feed._run, run))
                {
                    DetachCluster(run);
                }
            }
        }
    }

    private sealed class RecentWorkflow(string id)
    {
        public string Id { get; } = id;

        public string? Camera { get; set; }

        public long? Seq { get; set; }

        public DateTimeOffset? CapturedAt { get; set; }

        public DateTimeOffset? EndedAt { get; set; }

        public bool? Completed { get; set; }

        public double? LatencyMs { get; set; }

        public List<ObservedReply> Replies { get; } = [];

        public RecentWorkflowView View(bool includeReplies) => new(
            Id,
            Camera,
            Seq,
            CapturedAt,
            EndedAt,
            Completed switch { true => "completed", false => "failed", null => "running" },
            LatencyMs is { } ms ? Math.Round(ms, 1) : null,
            [.. Replies.Select(r => $"{r.Function}@{r.Node}")],
            includeReplies ? [.. Replies] : null);
    }
}

public sealed record TopologyView(string Name, string Mode, string ControlNode, IReadOnlyList<NodeView> Nodes, IReadOnlyList<LinkView> Links);

public sealed record NodeView(string Name, string Type, IReadOnlyList<string> Functions);

/// <summary>A physical link; <c>Ground</c>: its satellite when it joins a satellite to a ground node (cloud or edge).</summary>
public sealed record LinkView(string Id, string From, string To, string? Ground = null);

public sealed record DashboardSnapshot(
    DateTimeOffset Time,
    double ElapsedSeconds,
    string? Mode,
    string? Snapshot,
    CountersView Counters,
    long WorkflowsPerSecond,
    double? LocalReadShare,
    double? NodeAccuracy,
    double? NextFunctionAccuracy,
    IReadOnlyList<LinkStateView> Links,
    IReadOnlyList<SeriesPoint> Series,
    IReadOnlyList<double> HistogramBoundsMs,
    IReadOnlyDictionary<string, long[]> Histograms,
    IReadOnlyList<RecentWorkflowView> Workflows,
    IReadOnlyList<DeadLetterView> DeadLetters,
    IReadOnlyList<string> Modes,
    IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>> ModeSeries,
    IReadOnlyList<string>? PlannedModes);

public sealed record CountersView(long Frames, long Completed, long Failed, long Running, long Alarms, long LocalReads, long WaitedReads, long RemoteReads, long DeadLetters);

/// <summary>One physical link now; <c>StateBytesForward</c>: state bytes that crossed from its first node to its second since the last snapshot (a bundle moved).</summary>
public sealed record LinkStateView(string Id, bool Up, double? LatencyMs, double? BandwidthMbps, long BytesPerSecond, long StateBytesForward, long StateBytesBackward);

/// <summary>One second of the run: workflows completed, and the median end-to-end latency of those that ended (null: none did).</summary>
public sealed record SeriesPoint(double T, long Completed, double? P50Ms);

public sealed record RecentWorkflowView(
    string Id,
    string? Camera,
    long? Seq,
    DateTimeOffset? CapturedAt,
    DateTimeOffset? EndedAt,
    string State,
    double? LatencyMs,
    IReadOnlyList<string> Path,
    IReadOnlyList<ObservedReply>? Replies);

public sealed record DeadLetterView(DateTimeOffset At, string? WorkflowId, string Type, string? Destination, string Reason);
