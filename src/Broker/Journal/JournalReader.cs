namespace Skylark.Events.Broker.Journal;

/// <summary>What kind of damage a journal segment has.</summary>
public enum JournalDamageKind
{
    /// <summary>The newest segment ends in bytes that are no intact record: a crash during its last write.</summary>
    TornTail,

    /// <summary>
    /// Intact records follow the damage, or it is in a segment that was complete before the next one began: the disk
    /// or something else changed bytes that were already durable. The broker does not start on it without repair.
    /// </summary>
    MidFile,
}

/// <summary>
/// A stretch of a segment that holds no intact record: where it starts, how long it is, why it is unreadable, what
/// kind of damage it is and how many intact records follow it in the same segment.
/// </summary>
public sealed record JournalDamage(string Segment, long Offset, long Bytes, string Reason)
{
    public JournalDamageKind Kind { get; init; } = JournalDamageKind.MidFile;

    public long IntactRecordsAfter { get; init; }
}

/// <summary>What reading one segment found: its intact records (events and acks) and every damaged stretch.</summary>
public sealed record JournalSegmentCheck(string Segment, long Records, IReadOnlyList<JournalDamage> Damage)
{
    public bool Intact => Damage.Count == 0;

    public bool MidFileDamage => Damage.Any(d => d.Kind == JournalDamageKind.MidFile);
}

/// <summary>
/// Reads a journal's events without changing it (unlike startup recovery, a torn tail is skipped, not cut off, and
/// damage is reported, not repaired), so it is safe on the folder of a running broker: export, replay, inspection.
/// </summary>
public static class JournalReader
{
    /// <summary>True when <paramref name="path"/> is a folder holding journal segments.</summary>
    public static bool IsJournal(string path) => Directory.Exists(path) && JournalFormat.Segments(path).Count > 0;

    /// <summary>Every intact event, oldest first, including those after damage. <paramref name="onDamage"/> hears of each damaged stretch.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="FormatException">While enumerating: an intact record (its checksum matches) is not an event record.</exception>
    public static IEnumerable<JournalEvent> ReadEvents(string directory, Action<JournalDamage>? onDamage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Journal folder {directory} does not exist.");
        }

        return ReadEventsIterator(directory, onDamage);
    }

    /// <summary>Checks every record of every segment, oldest first, and tells a torn tail from damage in the middle.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<JournalSegmentCheck> Verify(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Journal folder {directory} does not exist.");
        }

        var segments = JournalFormat.Segments(directory);
        var checks = new List<JournalSegmentCheck>(segments.Count);
        for (var i = 0; i < segments.Count; i++)
        {
            try
            {
                using var reader = new JournalSegmentReader(segments[i]);
                while (reader.TryReadNext(out _))
                {
                }

                checks.Add(new JournalSegmentCheck(segments[i], reader.Records, Describe(reader, newest: i == segments.Count - 1)));
            }
            catch (FileNotFoundException)
            {
                // Retired by a running broker since the listing.
            }
        }

        return checks;
    }

    /// <summary>A reader's damage as users see it; only the newest segment can have a torn tail.</summary>
    internal static List<JournalDamage> Describe(JournalSegmentReader reader, bool newest) =>
        [.. reader.Damage.Select(d => new JournalDamage(reader.Path, d.Offset, d.Bytes, d.Reason)
        {
            Kind = newest && d.RecordsAfter == 0 && d.End >= reader.Length ? JournalDamageKind.TornTail : JournalDamageKind.MidFile,
            IntactRecordsAfter = d.RecordsAfter,
        })];

    private static IEnumerable<JournalEvent> ReadEventsIterator(string directory, Action<JournalDamage>? onDamage)
    {
        var segments = JournalFormat.Segments(directory);
        for (var i = 0; i < segments.Count; i++)
        {
            JournalSegmentReader reader;
            try
            {
                reader = new JournalSegmentReader(segments[i]);
            }
            catch (FileNotFoundException)
            {
                // Retired by a running broker since the listing.
                continue;
            }

            using (reader)
            {
                while (reader.TryReadNext(out var record))
                {
                    if (record.Type == JournalRecordType.Event)
                    {
                        yield return EventRecord.Decode(record.Body);
                    }
                }

                foreach (var damage in Describe(reader, newest: i == segments.Count - 1))
                {
                    onDamage?.Invoke(damage);
                }
            }
        }
    }
}
