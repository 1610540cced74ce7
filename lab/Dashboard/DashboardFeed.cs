using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Demo;
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

    private readonly WorkflowObserver _observer;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RecentWorkflow> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();
    private readonly RingBuffer<SeriesPoint> _series = new(SeriesCapacity);
    private readonly RingBuffer<DeadLetterView> _deadLetters = new(DeadLetterCapacity);
    private readonly Dictionary<string, long[]> _histograms = new(StringComparer.Ordinal);
    private readonly List<double> _endedThisTick = [];
    private readonly Dictionary<string, (long State, long Control)> _lastTraffic = new(StringComparer.Ordinal);
    private IUpCluster? _cluster;
    private long _deadLetterCount;
    private long _lastCompleted;
    private long _tickCount;
    private double? _nodeAccuracy;
    private double? _nextFunctionAccuracy;
    private string _current = "{}";

    public DashboardFeed(WorkflowObserver observer, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observer = observer;
        _time = timeProvider ?? TimeProvider.System;
        _startedAt = _time.GetUtcNow();
        observer.FrameObserved += (_, frame) => OnFrame(frame);
        observer.ReplyObserved += (_, reply) => OnReply(reply);
        observer.WorkflowEnded += (_, outcome) => OnEnded(outcome);
    }

    /// <summary>The latest snapshot, as sent on <c>/api/events</c>.</summary>
    public string Current => Volatile.Read(ref _current);

    /// <summary>Snapshots made so far; a client sends a snapshot when this has moved.</summary>
    public long Ticks => Interlocked.Read(ref _tickCount);

    public IUpCluster? Cluster => Volatile.Read(ref _cluster);

    /// <summary>
    /// The cluster this run observes. <c>skylark up</c> starts the dashboard before the cluster (the observer's Trigger
    /// needs the dashboard's URL), so the cluster comes later; until then the topology is unknown.
    /// </summary>
    public void Attach(IUpCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Volatile.Write(ref _cluster, cluster);
        cluster.DeadLettered += (_, dead) => OnDeadLetter(dead);
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

    /// <summary>The topology as drawn: nodes by type, every physical link of any snapshot once.</summary>
    public TopologyView? Topology()
    {
        if (Cluster is not { } cluster)
        {
            return null;
        }

        var topology = cluster.Topology;
        return new TopologyView(
            topology.Name,
            cluster.Mode.Name(),
            cluster.ControlNode,
            [.. topology.Nodes.Select(n => new NodeView(n.Name, TypeName(n.Type), n.Functions))],
            [.. PhysicalLinks(topology).Select(l => new LinkView($"{l.A}->{l.B}", l.A, l.B))]);
    }

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
        var now = _time.GetUtcNow();
        var completed = _observer.Completed;
        var perSecond = completed - _lastCompleted;
        _lastCompleted = completed;
        double? p50;
        int ended;
        lock (_gate)
        {
            ended = _endedThisTick.Count;
            p50 = ended == 0 ? null : Percentile(_endedThisTick, 0.5);
            _endedThisTick.Clear();
        }

        var elapsed = (now - _startedAt).TotalSeconds;
        _series.Add(new SeriesPoint(Math.Round(elapsed, 1), perSecond, p50 is { } p ? Math.Round(p, 1) : null));

        var cluster = Cluster;
        if (cluster is not null)
        {
            await ReadPredictorAsync(cluster, cancellationToken);
        }

        var reads = _observer.LocalReads + _observer.WaitedReads + _observer.RemoteReads;
        var snapshot = new DashboardSnapshot(
            now,
            Math.Round(elapsed, 1),
            cluster?.Mode.Name(),
            cluster?.Clock.Current.Name,
            new CountersView(
                _observer.Frames,
                completed,
                _observer.Failed,
                _observer.Unfinished,
                _observer.Alarms,
                _observer.LocalReads,
                _observer.WaitedReads,
                _observer.RemoteReads,
                Interlocked.Read(ref _deadLetterCount)),
            perSecond,
            reads == 0 ? null : Math.Round((double)_observer.LocalReads / reads, 4),
            _nodeAccuracy is { } node ? Math.Round(node, 4) : null,
            _nextFunctionAccuracy is { } next ? Math.Round(next, 4) : null,
            cluster is null ? [] : LinkStates(cluster),
            _series.Items(),
            HistogramBoundsMs,
            Histograms(),
            RecentWorkflows(),
            _deadLetters.Items());
        Volatile.Write(ref _current, JsonSerializer.Serialize(snapshot, Json));
        Interlocked.Increment(ref _tickCount);
    }

    private async Task ReadPredictorAsync(IUpCluster cluster, CancellationToken cancellationToken)
    {
        // A slow or restarting Predictor must not hold up the snapshot: the last figures stand until it answers.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            if (await cluster.PredictorMetricsAsync(bound.Token) is { } metrics)
            {
                _nodeAccuracy = metrics.NodeAccuracy;
                _nextFunctionAccuracy = metrics.NextFunctionAccuracy;
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            // Keep the last figures.
        }
    }

    private List<LinkStateView> LinkStates(IUpCluster cluster)
    {
        var traffic = cluster.Links.TrafficPerLink().ToDictionary(t => t.Name, StringComparer.Ordinal);
        var current = cluster.Clock.Current;
        var isolated = cluster.Links.Isolated;
        var states = new List<LinkStateView>();
        foreach (var link in PhysicalLinks(cluster.Topology))
        {
            var up = current.FindLink(link.A, link.B) is { } live && !isolated.Contains(link.A) && !isolated.Contains(link.B) ? live : null;
            var forward = Delta($"{link.A}->{link.B}", traffic);
            var backward = Delta($"{link.B}->{link.A}", traffic);
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
    private (long State, long Control) Delta(string name, Dictionary<string, Emulation.LinkTraffic> traffic)
    {
        var now = traffic.TryGetValue(name, out var t) ? (t.StateBytes, t.ControlBytes) : (0L, 0L);
        var before = _lastTraffic.GetValueOrDefault(name);
        _lastTraffic[name] = now;
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

    private void OnDeadLetter(CloudEvent dead)
    {
        Interlocked.Increment(ref _deadLetterCount);
        var code = dead["knativeerrorcode"]?.ToString();
        var data = dead["knativeerrordata"]?.ToString();
        var reason = string.Join(": ", new[] { code is null ? null : $"HTTP {code}", Truncate(DecodeErrorData(data), 160) }.Where(s => !string.IsNullOrEmpty(s)));
        _deadLetters.Add(new DeadLetterView(
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

        var mode = Cluster?.Mode.Name() ?? "unknown";
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

public sealed record LinkView(string Id, string From, string To);

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
    IReadOnlyList<DeadLetterView> DeadLetters);

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
