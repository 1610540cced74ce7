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
    private const string Outcome = "outcome";

    private readonly Counter<long> _connections;
    private readonly Counter<long> _received;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _sinkRetries;
    private readonly Counter<long> _deadLetters;

    public CameraIngestMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        _connections = Meter.CreateCounter<long>(ConnectionsInstrument, "{connection}", "Times the bridge connected to the MQTT broker and took its subscriptions (more than one after reconnects).");
        _received = Meter.CreateCounter<long>(ReceivedInstrument, "{message}", "MQTT messages received on the camera topics.");
        _outcomes = Meter.CreateCounter<long>(MessagesInstrument, "{message}", "Messages handled, by outcome (frame: stored and announced; forwarded: a camera event passed on; rejected: not a valid frame or event; sink_failed: not delivered or not stored).");
        _sinkRetries = Meter.CreateCounter<long>(SinkRetriesInstrument, "{attempt}", "Deliveries to the sink attempted again after a retryable failure.");
        _deadLetters = Meter.CreateCounter<long>(DeadLettersInstrument, "{message}", "Messages republished on the MQTT dead-letter topic, by outcome (published, failed: the broker did not take it either; logged as an error).");
    }

    /// <summary>Times the bridge connected to the broker and took its subscriptions (more than one after reconnects).</summary>
    public long Connections => Totals.Sum(ConnectionsInstrument);

    public long Received => Totals.Sum(ReceivedInstrument);

    /// <summary>Raw or CloudEvent frames stored as bundles and announced to the sink.</summary>
    public long FramesIngested => Totals.Sum(MessagesInstrument, (Outcome, "frame"));

    /// <summary>Camera CloudEvents without pixels, passed to the sink as they were.</summary>
    public long EventsForwarded => Totals.Sum(MessagesInstrument, (Outcome, "forwarded"));

    /// <summary>Messages that were not valid frames or events (not a JPEG, too large, bad CloudEvent).</summary>
    public long Rejected => Totals.Sum(MessagesInstrument, (Outcome, "rejected"));

    /// <summary>Events the sink did not accept after every attempt (or frames that could not be stored).</summary>
    public long SinkFailures => Totals.Sum(MessagesInstrument, (Outcome, "sink_failed"));

    public long SinkRetries => Totals.Sum(SinkRetriesInstrument);

    public long DeadLettered => Totals.Sum(DeadLettersInstrument, (Outcome, "published"));

    /// <summary>Dead letters that could not be published either (broker gone); these are logged as errors.</summary>
    public long DeadLetterFailures => Totals.Sum(DeadLettersInstrument, (Outcome, "failed"));

    public CameraIngestMetricsSnapshot Snapshot() => new(
        Connections, Received, FramesIngested, EventsForwarded, Rejected, SinkFailures, SinkRetries, DeadLettered, DeadLetterFailures);

    public override string ToString() => Snapshot().ToString();

    internal void RecordConnected() => _connections.Add(1);

    internal void RecordReceived() => _received.Add(1);

    internal void RecordFrameIngested() => RecordOutcome("frame");

    internal void RecordEventForwarded() => RecordOutcome("forwarded");

    internal void RecordRejected() => RecordOutcome("rejected");

    internal void RecordSinkFailure() => RecordOutcome("sink_failed");

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
    long EventsForwarded,
    long Rejected,
    long SinkFailures,
    long SinkRetries,
    long DeadLettered,
    long DeadLetterFailures)
{
    public override string ToString() =>
        $"connections {Connections}, received {Received}, frames {FramesIngested}, forwarded {EventsForwarded}, rejected {Rejected}, sink failures {SinkFailures} " +
        $"(retries {SinkRetries}), dead-lettered {DeadLettered}, dead-letter failures {DeadLetterFailures}";
}
