using System.Diagnostics.Metrics;
using Skylark.Events.Hosting;

namespace Skylark.Events.CameraIngest;

/// <summary>
/// What the bridge did with the messages it received, on the meter <see cref="MeterName"/>: every message ends in
/// exactly one of delivered or dead-lettered (or a dead-letter failure). Exported at <c>/metrics</c>; the properties and
/// <see cref="Snapshot"/> read the same measurements, for hosts that show them in-process.
/// </summary>
public sealed class CameraIngestMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.CameraIngest";

    private const string ConnectionsInstrument = "skylark.cameraingest.connections";
    private const string ReceivedInstrument = "skylark.cameraingest.received";
    private const string MessagesInstrument = "skylark.cameraingest.messages";
    private const string SinkRetriesInstrument = "skylark.cameraingest.sink.retries";
    private const string DeadLettersInstrument = "skylark.cameraingest.deadletters";
    private const string HeldInstrument = "skylark.cameraingest.held";
    private const string Outcome = "outcome";
    private const string DependencyTag = "dependency";

    private readonly Counter<long> _connections;
    private readonly Counter<long> _received;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _sinkRetries;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _held;

    public CameraIngestMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        _connections = Meter.CreateCounter<long>(ConnectionsInstrument, "{connection}", "Times the bridge connected to the MQTT broker and took its subscriptions (more than one after reconnects).");
        _received = Meter.CreateCounter<long>(ReceivedInstrument, "{message}", "MQTT messages received on the camera topics.");
        _outcomes = Meter.CreateCounter<long>(MessagesInstrument, "{message}", "Messages handled, by outcome (frame: stored and announced; rejected: not a valid frame (including a camera CloudEvent of another type); bad_topic: a topic without a camera id or of no known shape; sink_failed: refused by the sink).");
        _sinkRetries = Meter.CreateCounter<long>(SinkRetriesInstrument, "{attempt}", "Deliveries to the sink attempted again after a retryable failure.");
        _deadLetters = Meter.CreateCounter<long>(DeadLettersInstrument, "{message}", "Dead letters, by outcome (published: on the MQTT dead-letter topic; failed: the MQTT broker did not take it, logged as an error; stored: kept by the dead-letter sink; refused: the dead-letter sink refused it, logged as an error).");
        _held = Meter.CreateCounter<long>(HeldInstrument, "{attempt}", "Failed attempts after which a message was held unacknowledged to try again, by dependency (redis, sink, dead_letter_sink).");
    }

    /// <summary>Times the bridge connected to the broker and took its subscriptions (more than one after reconnects).</summary>
    public long Connections => Totals.Sum(ConnectionsInstrument);

    public long Received => Totals.Sum(ReceivedInstrument);

    /// <summary>Raw or CloudEvent frames stored as bundles and announced to the sink.</summary>
    public long FramesIngested => Totals.Sum(MessagesInstrument, (Outcome, "frame"));

    /// <summary>Messages that were not valid frames (not a JPEG, too large, a bad CloudEvent or one of another type than a frame).</summary>
    public long Rejected => Totals.Sum(MessagesInstrument, (Outcome, "rejected"));

    /// <summary>Messages on a topic without a camera id (<c>cameras//frames</c>) or of no known shape; dead-lettered.</summary>
    public long BadTopics => Totals.Sum(MessagesInstrument, (Outcome, "bad_topic"));

    /// <summary>Events the sink refused (a 4xx other than 408 and 429); dead-lettered. An unavailable sink holds messages instead.</summary>
    public long SinkFailures => Totals.Sum(MessagesInstrument, (Outcome, "sink_failed"));

    public long SinkRetries => Totals.Sum(SinkRetriesInstrument);

    public long DeadLettered => Totals.Sum(DeadLettersInstrument, (Outcome, "published"));

    /// <summary>Dead letters that could not be published either (broker gone); these are logged as errors.</summary>
    public long DeadLetterFailures => Totals.Sum(DeadLettersInstrument, (Outcome, "failed"));

    /// <summary>Dead letters the dead-letter sink answered 2xx for.</summary>
    public long DeadLettersStored => Totals.Sum(DeadLettersInstrument, (Outcome, "stored"));

    /// <summary>Dead letters the dead-letter sink refused (a 4xx other than 408 and 429); logged as errors.</summary>
    public long DeadLetterSinkRefusals => Totals.Sum(DeadLettersInstrument, (Outcome, "refused"));

    /// <summary>Failed attempts after which a message was held unacknowledged, whatever it waited for.</summary>
    public long Held => Totals.Sum(HeldInstrument);

    /// <summary>Failed attempts after which a message was held because the node's Redis did not store its frame.</summary>
    public long HeldForRedis => Totals.Sum(HeldInstrument, (DependencyTag, "redis"));

    /// <summary>Failed attempts after which a message was held because the sink did not take its event.</summary>
    public long HeldForSink => Totals.Sum(HeldInstrument, (DependencyTag, "sink"));

    public CameraIngestMetricsSnapshot Snapshot() => new(
        Connections, Received, FramesIngested, Rejected, SinkFailures, SinkRetries, DeadLettered, DeadLetterFailures)
    {
        BadTopics = BadTopics,
        Held = Held,
        DeadLettersStored = DeadLettersStored,
    };

    public override string ToString() => Snapshot().ToString();

    internal void RecordConnected() => _connections.Add(1);

    internal void RecordReceived() => _received.Add(1);

    internal void RecordFrameIngested() => RecordOutcome("frame");

    internal void RecordRejected() => RecordOutcome("rejected");

    internal void RecordSinkFailure() => RecordOutcome("sink_failed");

    internal void RecordBadTopic() => RecordOutcome("bad_topic");

    internal void RecordDeadLetterStored() => _deadLetters.Add(1, new KeyValuePair<string, object?>(Outcome, "stored"));

    internal void RecordDeadLetterRefused() => _deadLetters.Add(1, new KeyValuePair<string, object?>(Outcome, "refused"));

    internal void RecordHeld(Dependency dependency) => _held.Add(1, new KeyValuePair<string, object?>(DependencyTag, dependency switch
    {
        Dependency.Redis => "redis",
        Dependency.Sink => "sink",
        _ => "dead_letter_sink",
    }));

    internal void RecordSinkRetry() => _sinkRetries.Add(1);

    internal void RecordDeadLettered() => _deadLetters.Add(1, new KeyValuePair<string, object?>(Outcome, "published"));

    internal void RecordDeadLetterFailure() => _deadLetters.Add(1, new KeyValuePair<string, object?>(Outcome, "failed"));

    private void RecordOutcome(string outcome) => _outcomes.Add(1, new KeyValuePair<string, object?>(Outcome, outcome));
}

/// <summary>The bridge's counters at one moment, as <c>GET /status</c> shows them.</summary>
public sealed record CameraIngestMetricsSnapshot(
    long Connections,
    long Received,
    long FramesIngested,
    long Rejected,
    long SinkFailures,
    long SinkRetries,
    long DeadLettered,
    long DeadLetterFailures)
{
    /// <summary>Messages on a topic without a camera id or of no known shape.</summary>
    public long BadTopics { get; init; }

    /// <summary>Failed attempts after which a message was held unacknowledged (Redis, sink or dead-letter sink down).</summary>
    public long Held { get; init; }

    /// <summary>Dead letters the dead-letter sink keeps.</summary>
    public long DeadLettersStored { get; init; }

    public override string ToString() =>
        $"connections {Connections}, received {Received}, frames {FramesIngested}, rejected {Rejected}, bad topics {BadTopics}, " +
        $"sink failures {SinkFailures} (retries {SinkRetries}), held {Held}, dead-lettered {DeadLettered}, stored {DeadLettersStored}, dead-letter failures {DeadLetterFailures}";
}
