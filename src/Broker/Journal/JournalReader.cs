namespace Skylark.Events.Broker.Journal;

/// <summary>Where reading a segment stopped early: a torn tail (newest segment) or damage.</summary>
public sealed record JournalDamage(string Segment, long Offset, long Bytes, string Reason);

/// <summary>
/// Reads a journal's events without changing it (unlike startup recovery, a torn tail is skipped, not cut off), so it
/// is safe on the folder of a running broker: export, replay, inspection.
/// </summary>
public static class JournalReader
{
    /// <summary>True when <paramref name="path"/> is a folder holding journal segments.</summary>
    public static bool IsJournal(string path) => Directory.Exists(path) && JournalFormat.Segments(path).Count > 0;

    /// <summary>Every intact event, oldest first. <paramref name="onDamage"/> hears of each segment read only in part.</summary>
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

    private static IEnumerable<JournalEvent> ReadEventsIterator(string directory, Action<JournalDamage>? onDamage)
    {
        foreach (var segment in JournalFormat.Segments(directory))
        {
            JournalSegmentReader reader;
            try
            {
                reader = new JournalSegmentReader(segment);
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

                if (reader.DamagedAt is { } at)
                {
                    onDamage?.Invoke(new JournalDamage(segment, at, reader.DamagedBytes, reader.Damage!));
                }
            }
        }
    }
}
