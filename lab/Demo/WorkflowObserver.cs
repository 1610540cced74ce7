using System.Collections.Concurrent;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// Watches a run from the outside, like any other subscriber: a Trigger delivers it every camera frame, completion and
/// alarm, and the dead-letter sink tells it about failures. A workflow starts with its frame event and ends with the
/// first reply that no function's Trigger accepts (detect finding nothing, or alarm); its latency is that reply's
/// <c>time</c> minus the frame's capture time. Detect's results are scored against the cameras' ground truth.
/// </summary>
public sealed class WorkflowObserver
{
    /// <summary>Bounds what one run keeps: latencies are kept per finished workflow, so cap the workflows tracked.</summary>
    public const int MaxWorkflows = 200_000;

    private readonly IReadOnlyList<IEventFilter> _functionTriggers;
    private readonly Func<string, long, GroundTruth?> _truth;
    private readonly DetectionScorer _scorer;
    private readonly ConcurrentDictionary<string, WorkflowTrace> _workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Camera, long Seq), DateTimeOffset> _acknowledged = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<double> _latencies = new();
    private readonly ConcurrentQueue<double> _readWaits = new();
    private readonly Lock _scoreGate = new();
    private DetectionScore _score = DetectionScore.Empty;
    private long _frames;
    private long _completed;
    private long _failed;
    private long _alarms;
    private long _local;
    private long _waited;
    private long _remote;
    private long _rejected;
    private long _neededBytes;

    /// <param name="functionTriggers">The Triggers that deliver to functions: a reply none of them accepts ends its workflow.</param>
    /// <param name="truth">Ground truth of (camera, seq), or null when the camera is not simulated.</param>
    /// <param name="scorer">Scores detect's boxes (in preprocessed pixels) against the truth (camera pixels).</param>
    /// <param name="timeProvider">Stamps when each outcome arrived, for how long a fault took to settle.</param>
    public WorkflowObserver(IEnumerable<TriggerResource> functionTriggers, Func<string, long, GroundTruth?> truth, DetectionScorer scorer, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(functionTriggers);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(scorer);
        _functionTriggers = [.. functionTriggers.Select(TriggerFilters.Create)];
        _truth = truth;
        _scorer = scorer;
        _time = timeProvider ?? TimeProvider.System;
    }

    public long Frames => Interlocked.Read(ref _frames);

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public long Alarms => Interlocked.Read(ref _alarms);

    public long LocalReads => Interlocked.Read(ref _local);

    public long WaitedReads => Interlocked.Read(ref _waited);

    public long RemoteReads => Interlocked.Read(ref _remote);

    /// <summary>Deliveries the observer could not make sense of (not a CloudEvent, malformed data).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Frames the cameras' MQTT server acknowledged (<see cref="OnAcknowledged"/>).</summary>
    public long Acknowledged => _acknowledged.Count;

    /// <summary>
    /// Acknowledged frames without an outcome: no workflow of theirs completed or was dead-lettered (a frame resent after
    /// a lost acknowledgement may have run twice; one outcome is enough).
    /// </summary>
    public long Lost
    {
        get
        {
            var ended = EndedFrames();
            return _acknowledged.Keys.Count(frame => !ended.ContainsKey(frame));
        }
    }

    /// <summary>
    /// When the last outcome of a frame captured before <paramref name="capturedBefore"/> arrived; null while an
    /// acknowledged frame of that time has none.
    /// </summary>
    public DateTimeOffset? LastOutcomeOfFramesCapturedBefore(DateTimeOffset capturedBefore)
    {
        var ended = EndedFrames();
        DateTimeOffset last = DateTimeOffset.MinValue;
        foreach (var (frame, capturedAt) in _acknowledged)
        {
            if (capturedAt >= capturedBefore)
            {
                continue;
            }

            if (!ended.TryGetValue(frame, out var at))
            {
                return null;
            }

            last = at > last ? at : last;
        }

        return last;
    }

    /// <summary>Workflows of frames captured at or after <paramref name="capturedFrom"/> that completed.</summary>
    public long CompletedCapturedFrom(DateTimeOffset capturedFrom) =>
        _workflows.Values.Count(w => w.State == WorkflowState.Completed && w.CapturedAt >= capturedFrom);

    /// <summary>The cameras' MQTT server acknowledged this frame: from now on the pipeline owes it an outcome.</summary>
    public void OnAcknowledged(string camera, long seq, DateTimeOffset capturedAt) => _acknowledged[(camera, seq)] = capturedAt;

    /// <summary>Workflows started and neither finished nor failed.</summary>
    public long Unfinished => _workflows.Values.Count(w => w.State == WorkflowState.Running);

    public DetectionScore Score
    {
        get
        {
            lock (_scoreGate)
            {
                return _score;
            }
        }
    }

    /// <summary>End-to-end latencies of the finished workflows, ms.</summary>
    public IReadOnlyList<double> Latencies => [.. _latencies];

    /// <summary>Per finished workflow, how long its functions waited for the state they read, in total (ms).</summary>
    public IReadOnlyList<double> ReadWaits => [.. _readWaits];

    /// <summary>
    /// Bytes the functions read from bundles held on another node than theirs: what had to cross a link whatever the
    /// mode (the rest of the state bytes on the links moved where nobody read them, or twice).
    /// </summary>
    public long NeededBytes => Interlocked.Read(ref _neededBytes);

    /// <summary>A workflow's frame event arrived (raised on the delivering request's thread; handlers must be quick).</summary>
    public event EventHandler<ObservedFrame>? FrameObserved;

    /// <summary>A function's reply arrived, with what it reported about its run.</summary>
    public event EventHandler<ObservedReply>? ReplyObserved;

    /// <summary>A workflow ended, completed or failed (once per workflow).</summary>
    public event EventHandler<ObservedOutcome>? WorkflowEnded;

    public void Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(pattern, (Delegate)ReceiveAsync);
    }

    /// <summary>A dead letter fails the workflow it belongs to (once).</summary>
    public void OnDeadLetter(CloudEvent dead)
    {
        ArgumentNullException.ThrowIfNull(dead);
        var now = _time.GetUtcNow();
        if (dead[ExtensionNames.WorkflowId] is string workflow && Track(workflow).TryEnd(WorkflowState.Failed, null, now, out _))
        {
            Interlocked.Increment(ref _failed);
            WorkflowEnded?.Invoke(this, new ObservedOutcome(workflow, Completed: false, null, now));
        }
    }

    /// <summary>Records one event; public so a replay or a test can feed events without HTTP.</summary>
    public void Observe(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        switch (cloudEvent.Type)
        {
            case EventTypes.CameraFrame:
                OnFrame(cloudEvent);
                break;
            case EventTypes.FunctionCompleted or EventTypes.AlarmRaised:
                OnReply(cloudEvent);
                break;
        }
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, cancellationToken);
            Observe(cloudEvent);
        }
        catch (Exception e) when (e is InvalidCloudEventException or JsonException or ArgumentException)
        {
            // Not the pipeline's fault and not ours to retry: count it and say why.
            Interlocked.Increment(ref _rejected);
            return Results.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        return Results.Accepted();
    }

    private void OnFrame(CloudEvent frame)
    {
        if (frame[ExtensionNames.WorkflowId] is not string workflow)
        {
            throw new ArgumentException($"Frame event {frame.Id} has no {ExtensionNames.WorkflowId}.");
        }

        var data = Deserialize<CameraFrame>(frame);
        Interlocked.Increment(ref _frames);
        if (Track(workflow).Start(data.Camera, data.Seq, data.CapturedAt) is { } latency)
        {
            _latencies.Enqueue(latency);
        }

        FrameObserved?.Invoke(this, new ObservedFrame(workflow, data.Camera, data.Seq, data.CapturedAt));
    }

    private void OnReply(CloudEvent reply)
    {
        if (reply[ExtensionNames.WorkflowId] is not string workflow)
        {
            throw new ArgumentException($"Reply {reply.Id} has no {ExtensionNames.WorkflowId}.");
        }

        if (reply.Type == EventTypes.AlarmRaised)
        {
            Interlocked.Increment(ref _alarms);
        }

        var report = Deserialize<ReplyReport>(reply);
        var trace = Track(workflow);
        foreach (var read in report.Reads ?? [])
        {
            _ = read.Source switch
            {
                "local" => Interlocked.Increment(ref _local),
                "waited" => Interlocked.Increment(ref _waited),
                "remote" => Interlocked.Increment(ref _remote),
                _ => 0,
            };
            if (read.Source is "local" or "waited" or "remote")
            {
                trace.AddReadWait(read.DurationMs);
                if (StateRef.TryParse(read.Ref, out var held, out _) && !string.Equals(held.Node, report.Node, StringComparison.Ordinal))
                {
                    Interlocked.Add(ref _neededBytes, read.Bytes);
                }
            }
        }

        ReplyObserved?.Invoke(this, new ObservedReply(
            workflow,
            report.Function,
            report.Node,
            reply.Time,
            report.DurationMs,
            [.. (report.Reads ?? []).Select(r => new ObservedRead(r.Ref, r.Source, r.Bytes, r.DurationMs))]));

        if (report.Function == "detect" && report.Result is { ValueKind: JsonValueKind.Object } result)
        {
            ScoreDetection(result.Deserialize<DetectResult>(ContractJson.Options));
        }

        // A redelivered reply must not finish the workflow twice; a reply some function still consumes does not finish it.
        if (_functionTriggers.Any(f => f.Filter(reply) != FilterResult.Fail))
        {
            return;
        }

        if (trace.TryEnd(WorkflowState.Completed, reply.Time, _time.GetUtcNow(), out var latency))
        {
            Interlocked.Increment(ref _completed);
            _readWaits.Enqueue(trace.ReadWaitMs);
            if (latency is { } ms)
            {
                _latencies.Enqueue(ms);
            }

            WorkflowEnded?.Invoke(this, new ObservedOutcome(workflow, Completed: true, latency, reply.Time ?? _time.GetUtcNow()));
        }
    }

    private void ScoreDetection(DetectResult? result)
    {
        if (result is null || result.WarmingUp || result.Seq is not { } seq || _truth(result.Camera, seq) is not { } truth)
        {
            return;
        }

        var detections = result.Detections
            .Select(b => new Detection(new BoundingBox(b.X, b.Y, b.Width, b.Height), b.Area))
            .ToList();
        var frame = _scorer.ScoreFrame(truth, detections);
        lock (_scoreGate)
        {
            _score = _score.Add(frame);
        }
    }

    /// <summary>Frames with an ended workflow, and when its outcome arrived (the earliest, if it ran twice).</summary>
    private Dictionary<(string Camera, long Seq), DateTimeOffset> EndedFrames()
    {
        var ended = new Dictionary<(string Camera, long Seq), DateTimeOffset>();
        foreach (var trace in _workflows.Values)
        {
            if (trace.Ended() is { } end)
            {
                ended[end.Frame] = ended.TryGetValue(end.Frame, out var earlier) && earlier < end.At ? earlier : end.At;
            }
        }

        return ended;
    }

    private WorkflowTrace Track(string workflow)
    {
        if (_workflows.TryGetValue(workflow, out var existing))
        {
            return existing;
        }

        // Past the cap a new workflow is still counted, just not kept: a detached trace.
        return _workflows.Count >= MaxWorkflows ? new WorkflowTrace() : _workflows.GetOrAdd(workflow, _ => new WorkflowTrace());
    }

    private static T Deserialize<T>(CloudEvent cloudEvent)
    {
        var json = cloudEvent.Data switch
        {
            JsonElement element => element,
            byte[] bytes => JsonSerializer.Deserialize<JsonElement>(bytes),
            ReadOnlyMemory<byte> memory => JsonSerializer.Deserialize<JsonElement>(memory.Span),
            string text => JsonSerializer.Deserialize<JsonElement>(text),
            _ => throw new ArgumentException($"Event {cloudEvent.Id} ({cloudEvent.Type}) has no JSON data."),
        };
        return json.Deserialize<T>(ContractJson.Options) ?? throw new ArgumentException($"Event {cloudEvent.Id} ({cloudEvent.Type}) has null data.");
    }

    /// <summary>The parts of a <see cref="FunctionReport"/> the observer needs.</summary>
    private sealed record ReplyReport(string Function, string Node, IReadOnlyList<ReadEntry>? Reads, JsonElement? Result, double DurationMs);

    private sealed record ReadEntry(string? Ref, string Source, long Bytes, double DurationMs);

    private enum WorkflowState
    {
        Running,
        Completed,
        Failed,
    }

    /// <summary>
    /// Start and end of one workflow. The frame event and the last reply reach the observer through different Triggers,
    /// so either may come first: whichever completes the pair yields the latency.
    /// </summary>
    private sealed class WorkflowTrace
    {
        private readonly Lock _gate = new();
        private DateTimeOffset? _started;
        private DateTimeOffset? _ended;
        private DateTimeOffset? _outcomeArrived;
        private (string Camera, long Seq)? _frame;
        private double _readWaitMs;

        public WorkflowState State { get; private set; }

        public DateTimeOffset? CapturedAt
        {
            get
            {
                lock (_gate)
                {
                    return _started;
                }
            }
        }

        public double ReadWaitMs
        {
            get
            {
                lock (_gate)
                {
                    return _readWaitMs;
                }
            }
        }

        public void AddReadWait(double ms)
        {
            lock (_gate)
            {
                _readWaitMs += ms;
            }
        }

        public double? Start(string camera, long seq, DateTimeOffset capturedAt)
        {
            lock (_gate)
            {
                if (_started is not null)
                {
                    return null;
                }

                _started = capturedAt;
                _frame = (camera, seq);
                return _ended is { } ended ? (ended - capturedAt).TotalMilliseconds : null;
            }
        }

        /// <summary>The frame this workflow ran for and when its outcome arrived, once both are known.</summary>
        public ((string Camera, long Seq) Frame, DateTimeOffset At)? Ended()
        {
            lock (_gate)
            {
                return State != WorkflowState.Running && _frame is { } frame && _outcomeArrived is { } at ? (frame, at) : null;
            }
        }

        public bool TryEnd(WorkflowState end, DateTimeOffset? endedAt, DateTimeOffset arrived, out double? latency)
        {
            lock (_gate)
            {
                latency = null;
                if (State != WorkflowState.Running)
                {
                    return false;
                }

                State = end;
                _ended = endedAt;
                _outcomeArrived = arrived;
                if (_started is { } started && endedAt is { } ended)
                {
                    latency = (ended - started).TotalMilliseconds;
                }

                return true;
            }
        }
    }
}

/// <summary>A workflow's camera frame as the observer saw it.</summary>
public sealed record ObservedFrame(string WorkflowId, string Camera, long Seq, DateTimeOffset CapturedAt);

/// <summary>One function's reply: where it ran, when it replied (the event's <c>time</c>), how long it ran and what it read.</summary>
public sealed record ObservedReply(string WorkflowId, string Function, string Node, DateTimeOffset? Time, double DurationMs, IReadOnlyList<ObservedRead> Reads);

/// <summary>One state read a function reported: <c>local</c>, <c>waited</c>, <c>remote</c> or <c>absent</c>.</summary>
public sealed record ObservedRead(string? Ref, string Source, long Bytes, double DurationMs);

/// <summary>A workflow's end; <see cref="LatencyMs"/> is null when it failed or its frame was not seen.</summary>
public sealed record ObservedOutcome(string WorkflowId, bool Completed, double? LatencyMs, DateTimeOffset At);
