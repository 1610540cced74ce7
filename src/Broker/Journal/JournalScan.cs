using System.Globalization;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker.Journal;

/// <summary>An event whose delivery to some Triggers had not reached a final outcome when the journal was last written.</summary>
internal sealed record PendingEvent(long Sequence, string SegmentPath, long Offset, int BodyLength, List<string> Triggers);

/// <summary>What a recovery scan found (see <see cref="JournalScan.Run"/>).</summary>
/// <remarks>
/// <see cref="SkippedBytes"/> counts every byte that held no intact record: torn tails cut off and damage moved to
/// quarantine. <see cref="DamagedSegments"/> counts segments repaired for damage that was not a torn tail.
/// </remarks>
public sealed record JournalRecoveryReport(int Segments, long Events, long PendingEvents, long PendingDeliveries, int TornTails, long SkippedBytes, int DamagedSegments)
{
    /// <summary>Quarantine files written by a repair (<see cref="JournalOptions.Repair"/>).</summary>
    public int QuarantineFiles { get; init; }

    /// <summary>Bytes moved to quarantine by a repair.</summary>
    public long QuarantinedBytes { get; init; }
}

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
/// last intact one were never acknowledged to anyone: their fsync had not returned), refuses damage anywhere else
/// unless told to repair it (then the damaged bytes go to a quarantine file and every intact record is kept), and
/// works out which (event, Trigger) deliveries have no ack and where the sequence goes on.
/// </summary>
internal sealed partial class JournalScan
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

    /// <exception cref="JournalDamagedException">Damage that is not a torn tail, and <paramref name="repair"/> is false.</exception>
    public static JournalScan Run(string directory, bool repair, ILogger logger)
    {
        var pass = Pass.Read(directory);
        var midFile = pass.Segments.SelectMany(s => s.Damage).Where(d => d.Kind == JournalDamageKind.MidFile).ToList();
        if (midFile.Count > 0 && !repair)
        {
            // Nothing is changed: the operator decides, with the journal as it was found.
            var refused = new JournalDamagedException(midFile);
            LogRefused(logger, midFile[0].Segment, midFile[0].Offset, midFile[0].IntactRecordsAfter, midFile.Count);
            throw refused;
        }

        var tornTails = 0;
        long skippedBytes = 0;
        var kept = new List<Pass.Segment>(pass.Segments.Count);
        foreach (var segment in pass.Segments)
        {
            if (segment.Damage.LastOrDefault(d => d.Kind == JournalDamageKind.TornTail) is { } tail)
            {
                // A crash mid-append: nobody was told these bytes were durable, so they go.
                tornTails++;
                skippedBytes += tail.Bytes;
                LogTornTail(logger, segment.Path, tail.Bytes, tail.Offset, tail.Reason);
                if (tail.Offset < JournalFormat.HeaderBytes)
                {
                    File.Delete(segment.Path);
                    continue;
                }

                using var truncate = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.Read);
                truncate.SetLength(tail.Offset);
                truncate.Flush(flushToDisk: true);
            }

            kept.Add(segment);
        }

        var final = pass;
        var quarantineFiles = 0;
        long quarantinedBytes = 0;
        var damagedSegments = 0;
        if (midFile.Count > 0)
        {
            foreach (var segment in kept.Where(s => s.Damage.Any(d => d.Kind == JournalDamageKind.MidFile)))
            {
                damagedSegments++;
                foreach (var damage in segment.Damage.Where(d => d.Kind == JournalDamageKind.MidFile))
                {
                    Quarantine(segment.Path, damage);
                    quarantineFiles++;
                    quarantinedBytes += damage.Bytes;
                }

                Rewrite(segment);
            }

            DiskFlush.Directory(directory);
            final = Pass.Read(directory);
            kept = final.Segments;
            skippedBytes += quarantinedBytes;
            LogRepaired(
                logger, damagedSegments, quarantinedBytes, quarantineFiles, midFile.GroupBy(d => d.Segment).Sum(g => g.First().IntactRecordsAfter), final.Records,
                midFile[0].Segment, midFile[0].Offset);
        }

        // Sequences go on after every one that reached the disk: the highest intact one, each segment's first (named
        // when it began), and those a torn tail may have held, so no sequence ever stands for two events.
        var nextSequence = Math.Max(pass.HighestSequence + 1, pass.Segments.Count > 0 ? pass.Segments.Max(s => s.FirstSequence) : 1)
            + pass.TornRecordStarts;

        var segments = kept.Select(s => new SegmentState(s.Path, s.FirstSequence, s.IntactLength, s.Newest)).ToList();
        var owedInOrder = final.Pending.Values.OrderBy(p => p.Sequence).ToList();
        foreach (var owed in owedInOrder)
        {
            FindSegment(segments, owed.Sequence)!.Outstanding += owed.Triggers.Count;
        }

        var report = new JournalRecoveryReport(
            segments.Count, final.Events, owedInOrder.Count, owedInOrder.Sum(p => (long)p.Triggers.Count), tornTails, skippedBytes, damagedSegments)
        {
            QuarantineFiles = quarantineFiles,
            QuarantinedBytes = quarantinedBytes,
        };
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

    /// <summary>Where a repair puts the damaged bytes found at <paramref name="offset"/> of <paramref name="segment"/>.</summary>
    public static string QuarantinePath(string segment, long offset) =>
        segment + ".quarantine-" + offset.ToString(CultureInfo.InvariantCulture);

    /// <summary>Copies the damaged bytes, unchanged, to a file only the broker's user can read (they may hold event data).</summary>
    private static void Quarantine(string segment, JournalDamage damage)
    {
        var path = QuarantinePath(segment, damage.Offset);

        // A repair cut short by a crash runs again and finds the same bytes: writing them again is harmless.
        using var source = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var target = OwnerOnlyFiles.Open(path, FileMode.Create, FileAccess.Write, FileShare.None);

        source.Position = damage.Offset;
        CopyBytes(source, target, damage.Bytes);
        target.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Writes the segment again with only its intact records, beside it, then renames it over the original: a crash
    /// leaves either the damaged original (repaired again at the next start) or the repaired copy.
    /// </summary>
    private static void Rewrite(Pass.Segment segment)
    {
        var temporary = segment.Path + ".repairing";
        using (var source = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var target = OwnerOnlyFiles.Open(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
            JournalFormat.WriteSegmentHeader(header);
            target.Write(header);
            foreach (var (start, end) in segment.Runs)
            {
                source.Position = start;
                CopyBytes(source, target, end - start);
            }

            target.Flush(flushToDisk: true);
        }

        File.Move(temporary, segment.Path, overwrite: true);
    }

    private static void CopyBytes(Stream source, Stream target, long count)
    {
        var buffer = new byte[(int)Math.Min(count, 1024 * 1024)];
        while (count > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0)
            {
                throw new IOException($"The journal segment ended while {count} more byte(s) were expected.");
            }

            target.Write(buffer, 0, read);
            count -= read;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Segment}: skipped a torn tail of {Bytes} byte(s) at offset {Offset} ({Reason})")]
    private static partial void LogTornTail(ILogger logger, string segment, long bytes, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Journal segment {Segment} is damaged at offset {Offset} with {IntactAfter} intact record(s) after it ({Places} damaged place(s) in all); not starting without --journal-repair")]
    private static partial void LogRefused(ILogger logger, string segment, long offset, long intactAfter, int places);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal repaired: {Segments} damaged segment(s), {Bytes} damaged byte(s) moved to {Files} quarantine file(s) beside them (first: {FirstSegment} at offset {FirstOffset}); {Recovered} intact record(s) kept, {After} of them after the damage")]
    private static partial void LogRepaired(ILogger logger, int segments, long bytes, int files, long after, long recovered, string firstSegment, long firstOffset);

    /// <summary>One read of every segment, changing nothing.</summary>
    private sealed class Pass
    {
        public List<Segment> Segments { get; } = [];

        public Dictionary<long, PendingEvent> Pending { get; } = [];

        public long Events { get; private set; }

        public long Records { get; private set; }

        public long HighestSequence { get; private set; }

        /// <summary>Records begun in a torn tail: their sequences may have reached the disk, so they are not used again.</summary>
        public int TornRecordStarts { get; private set; }

        public static Pass Read(string directory)
        {
            var pass = new Pass();
            var files = JournalFormat.Segments(directory);
            for (var i = 0; i < files.Count; i++)
            {
                var path = files[i];
                var firstSequence = long.Parse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture);
                var newest = DateTimeOffset.MinValue;
                using var reader = new JournalSegmentReader(path);
                while (reader.TryReadNext(out var record))
                {
                    pass.Records++;
                    if (record.Type == JournalRecordType.Event)
                    {
                        var journalEvent = EventRecord.Decode(record.Body);
                        pass.Events++;
                        pass.HighestSequence = Math.Max(pass.HighestSequence, journalEvent.Sequence);
                        newest = journalEvent.AppendedAt > newest ? journalEvent.AppendedAt : newest;
                        if (journalEvent.Triggers.Count > 0)
                        {
                            pass.Pending[journalEvent.Sequence] = new PendingEvent(journalEvent.Sequence, path, record.Offset, record.Body.Length, [.. journalEvent.Triggers]);
                        }
                    }
                    else
                    {
                        var (trigger, sequences) = AckRecord.Decode(record.Body.Span);
                        foreach (var sequence in sequences)
                        {
                            if (pass.Pending.TryGetValue(sequence, out var owed) && owed.Triggers.Remove(trigger) && owed.Triggers.Count == 0)
                            {
                                pass.Pending.Remove(sequence);
                            }
                        }
                    }
                }

                var damage = JournalReader.Describe(reader, newest: i == files.Count - 1);
                if (damage.Count > 0 && damage[^1].Kind == JournalDamageKind.TornTail)
                {
                    pass.TornRecordStarts += reader.Tail!.Value.RecordsStarted;
                }

                if (newest == DateTimeOffset.MinValue)
                {
                    newest = File.GetLastWriteTimeUtc(path);
                }

                pass.Segments.Add(new Segment(path, firstSequence, reader.DataEnd, newest, damage, [.. reader.IntactRuns]));
            }

            return pass;
        }

        public sealed record Segment(string Path, long FirstSequence, long IntactLength, DateTimeOffset Newest, List<JournalDamage> Damage, List<(long Start, long End)> Runs);
    }
}
