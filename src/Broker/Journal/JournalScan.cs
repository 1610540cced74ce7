using System.Globalization;

namespace Skylark.Events.Broker.Journal;

/// <summary>An event whose delivery to some Triggers had not reached a final outcome when the journal was last written.</summary>
internal sealed record PendingEvent(long Sequence, string SegmentPath, long Offset, int BodyLength, List<string> Triggers);

/// <summary>What a recovery scan found (see <see cref="JournalScan.Run"/>).</summary>
public sealed record JournalRecoveryReport(int Segments, long Events, long PendingEvents, long PendingDeliveries, int TornTails, long SkippedBytes, int DamagedSegments);

/// <summary>A segment as the writer tracks it: size, deliveries still owed, and when it last took an event.</summary>
internal sealed class SegmentState(string path, long firstSequence, long length, DateTimeOffset newest)
{
    public string Path { get; } = path;

    public long FirstSequence { get; } = firstSequence;

    public long Length { get; set; } = length;

    /// <summary>(event, Trigger) deliveries recorded here without an ack yet.</summary>
    public long Outstanding { get; set; }

    public DateTimeOffset Newest { get; set; } = newest;
}

/// <summary>
/// Reads every segment at startup: verifies each record, cuts a torn tail off the newest segment (records after the
/// last intact one were never acknowledged to anyone: their fsync had not returned), and works out which
/// (event, Trigger) deliveries have no ack.
/// </summary>
internal sealed class JournalScan
{
    private JournalScan(List<SegmentState> segments, List<PendingEvent> pending, long nextSequence, JournalRecoveryReport report)
    {
        Segments = segments;
        Pending = pending;
        NextSequence = nextSequence;
        Report = report;
    }

    public List<SegmentState> Segments { get; }

    /// <summary>Oldest first.</summary>
    public List<PendingEvent> Pending { get; }

    public long NextSequence { get; }

    public JournalRecoveryReport Report { get; }

    public static JournalScan Run(string directory, ILogger logger)
    {
        var files = JournalFormat.Segments(directory);
        var segments = new List<SegmentState>(files.Count);
        var pending = new Dictionary<long, PendingEvent>();
        var nextSequence = 1L;
        long events = 0;
        var tornTails = 0;
        var damagedSegments = 0;
        long skippedBytes = 0;

        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i];
            var isNewest = i == files.Count - 1;
            var firstSequence = long.Parse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture);
            var newest = DateTimeOffset.MinValue;
            long intactLength;
            long? damagedAt;
            string? damage;
            long damagedBytes;
            using (var reader = new JournalSegmentReader(path))
            {
                while (reader.TryReadNext(out var record))
                {
                    if (record.Type == JournalRecordType.Event)
                    {
                        var journalEvent = EventRecord.Decode(record.Body);
                        events++;
                        nextSequence = Math.Max(nextSequence, journalEvent.Sequence + 1);
                        newest = journalEvent.AppendedAt > newest ? journalEvent.AppendedAt : newest;
                        if (journalEvent.Triggers.Count > 0)
                        {
                            pending[journalEvent.Sequence] = new PendingEvent(journalEvent.Sequence, path, record.Offset, record.Body.Length, [.. journalEvent.Triggers]);
                        }
                    }
                    else
                    {
                        var (trigger, sequences) = AckRecord.Decode(record.Body.Span);
                        foreach (var sequence in sequences)
                        {
                            if (pending.TryGetValue(sequence, out var owed) && owed.Triggers.Remove(trigger) && owed.Triggers.Count == 0)
                            {
                                pending.Remove(sequence);
                            }
                        }
                    }
                }

                damagedAt = reader.DamagedAt;
                damage = reader.Damage;
                damagedBytes = reader.DamagedBytes;
                intactLength = reader.DataEnd;
            }

            if (damagedAt is { } at)
            {
                skippedBytes += damagedBytes;
                if (isNewest)
                {
                    // A crash mid-append: nobody was told these bytes were durable, so they go.
                    tornTails++;
                    logger.LogWarning(
                        "Journal segment {Segment}: skipped a torn tail of {Bytes} byte(s) at offset {Offset} ({Reason})",
                        path, damagedBytes, at, damage);
                    if (at < JournalFormat.HeaderBytes)
                    {
                        File.Delete(path);
                        continue;
                    }

                    using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
                    truncate.SetLength(at);
                    truncate.Flush(flushToDisk: true);
                }
                else
                {
                    // Older segments were complete and fsynced before the next one began: this is damage, not a torn write.
                    damagedSegments++;
                    logger.LogError(
                        "Journal segment {Segment} is damaged at offset {Offset} ({Reason}); {Bytes} byte(s) after it cannot be read and are skipped",
                        path, at, damage, damagedBytes);
                }
            }

            if (newest == DateTimeOffset.MinValue)
            {
                newest = File.GetLastWriteTimeUtc(path);
            }

            segments.Add(new SegmentState(path, firstSequence, intactLength, newest));
        }

        var owedInOrder = pending.Values.OrderBy(p => p.Sequence).ToList();
        foreach (var owed in owedInOrder)
        {
            FindSegment(segments, owed.Sequence)!.Outstanding += owed.Triggers.Count;
        }

        var report = new JournalRecoveryReport(
            segments.Count, events, owedInOrder.Count, owedInOrder.Sum(p => (long)p.Triggers.Count), tornTails, skippedBytes, damagedSegments);
        return new JournalScan(segments, owedInOrder, nextSequence, report);
    }

    /// <summary>The segment holding <paramref name="sequence"/>: the last one starting at or before it; null if it was deleted.</summary>
    public static SegmentState? FindSegment(List<SegmentState> segments, long sequence)
    {
        int low = 0, high = segments.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (segments[middle].FirstSequence <= sequence)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0 ? null : segments[found];
    }
}
