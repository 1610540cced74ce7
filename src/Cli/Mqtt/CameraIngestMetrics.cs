namespace Skylark.Events.Cli.Mqtt;

/// <summary>What the bridge did with the messages it received; every message ends in exactly one of delivered or dead-lettered (or a dead-letter failure).</summary>
public sealed class CameraIngestMetrics
{
    private long _connections;
    private long _received;
    private long _framesIngested;
    private long _eventsForwarded;
    private long _rejected;
    private long _sinkFailures;
    private long _sinkRetries;
    private long _deadLettered;
    private long _deadLetterFailures;

    /// <summary>Times the bridge connected to the broker and took its subscriptions (more than one after reconnects).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Raw or CloudEvent frames stored as bundles and announced to the sink.</summary>
    public long FramesIngested => Interlocked.Read(ref _framesIngested);

    /// <summary>Camera CloudEvents without pixels, passed to the sink as they were.</summary>
    public long EventsForwarded => Interlocked.Read(ref _eventsForwarded);

    /// <summary>Messages that were not valid frames or events (not a JPEG, too large, bad CloudEvent).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Events the sink did not accept after every attempt (or frames that could not be stored).</summary>
    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    public long SinkRetries => Interlocked.Read(ref _sinkRetries);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Dead letters that could not be published either (broker gone); these are logged as errors.</summary>
    public long DeadLetterFailures => Interlocked.Read(ref _deadLetterFailures);

    internal void RecordConnected() => Interlocked.Increment(ref _connections);

    internal void RecordReceived() => Interlocked.Increment(ref _received);

    internal void RecordFrameIngested() => Interlocked.Increment(ref _framesIngested);

    internal void RecordEventForwarded() => Interlocked.Increment(ref _eventsForwarded);

    internal void RecordRejected() => Interlocked.Increment(ref _rejected);

    internal void RecordSinkFailure() => Interlocked.Increment(ref _sinkFailures);

    internal void RecordSinkRetry() => Interlocked.Increment(ref _sinkRetries);

    internal void RecordDeadLettered() => Interlocked.Increment(ref _deadLettered);

    internal void RecordDeadLetterFailure() => Interlocked.Increment(ref _deadLetterFailures);

    public override string ToString() =>
        $"connections {Connections}, received {Received}, frames {FramesIngested}, forwarded {EventsForwarded}, rejected {Rejected}, sink failures {SinkFailures} " +
        $"(retries {SinkRetries}), dead-lettered {DeadLettered}, dead-letter failures {DeadLetterFailures}";
}
