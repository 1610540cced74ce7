using System.Diagnostics.Metrics;
using System.Globalization;
using Skylark.Events.Hosting;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// The metrics of the dead-letter log, on the meter <see cref="MeterName"/>: dead letters stored (by the status of the
/// failed delivery), refused, and what the fsyncs that make them durable cost. Exported at <c>/metrics</c>;
/// <see cref="Snapshot"/> reads the same measurements.
/// </summary>
public sealed class DeadLetterMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.DeadLetters";

    /// <summary>The status of the failed delivery (<c>knativeerrorcode</c>): an HTTP status, <c>none</c> or <c>other</c>.</summary>
    public const string ErrorCodeAttribute = "kn.error.code";

    public const string ReasonAttribute = "reason";

    private const string Received = "skylark.deadletters.received";
    private const string Rejected = "skylark.deadletters.rejected";
    private const string FsyncDuration = "skylark.deadletters.fsync.duration";
    private const string FsyncRecords = "skylark.deadletters.fsync.records";

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _fsyncDuration;
    private readonly Histogram<long> _fsyncRecords;

    public DeadLetterMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        _received = Meter.CreateCounter<long>(Received, "{event}", "Dead letters stored (on disk), by the status of the delivery that failed.");
        _rejected = Meter.CreateCounter<long>(Rejected, "{request}", "Requests refused, by reason (invalid, too_large, busy, unavailable).");
        _fsyncDuration = Meter.CreateHistogram<double>(FsyncDuration, "s", "How long one fsync of the log took; each covers every dead letter written since the one before.");
        _fsyncRecords = Meter.CreateHistogram<long>(FsyncRecords, "{event}", "Dead letters one fsync made durable.");
    }

    /// <summary>A dead letter is on disk.</summary>
    public void RecordReceived(int? errorCode) =>
        _received.Add(1, new KeyValuePair<string, object?>(ErrorCodeAttribute, CodeLabel(errorCode)));

    /// <summary>A request refused: <c>invalid</c>, <c>too_large</c>, <c>busy</c> or <c>unavailable</c>.</summary>
    public void RecordRejected(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _rejected.Add(1, new KeyValuePair<string, object?>(ReasonAttribute, reason));
    }

    public void RecordFsync(TimeSpan duration, int records)
    {
        _fsyncDuration.Record(duration.TotalSeconds);
        _fsyncRecords.Record(records);
    }

    /// <summary>Exports the number of records in the log, read from <paramref name="stored"/> at each collection.</summary>
    internal void ObserveStored(Func<long> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        Meter.CreateObservableGauge("skylark.deadletters.stored", stored, "{event}", "Dead letters in the log, including those stored before this process started.");
    }

    public DeadLetterMetricsSnapshot Snapshot()
    {
        var fsyncs = Totals.Count(FsyncDuration);
        var totalMs = Totals.SumOf(FsyncDuration) * 1000;
        return new DeadLetterMetricsSnapshot(
            Totals.Sum(Received),
            Totals.Sum(Rejected),
            fsyncs,
            fsyncs == 0 ? 0 : totalMs / fsyncs,
            Totals.Max(FsyncDuration) * 1000);
    }

    /// <summary>
    /// An HTTP status as itself, anything else folded into one value: the attribute comes from the sender, and each
    /// distinct value would be a time series of its own.
    /// </summary>
    private static string CodeLabel(int? code) => code switch
    {
        null => "none",
        >= 100 and <= 599 => code.Value.ToString(CultureInfo.InvariantCulture),
        _ => "other",
    };
}

/// <summary>What the log did since it opened.</summary>
/// <param name="Received">Dead letters stored.</param>
/// <param name="Rejected">Requests refused (invalid, too large, busy, unavailable).</param>
/// <param name="Fsyncs">fsyncs of the log; fewer than <paramref name="Received"/> when concurrent appends shared one.</param>
/// <param name="MeanFsyncMs">The mean time one fsync took.</param>
/// <param name="MaxFsyncMs">The longest.</param>
public sealed record DeadLetterMetricsSnapshot(long Received, long Rejected, long Fsyncs, double MeanFsyncMs, double MaxFsyncMs);
