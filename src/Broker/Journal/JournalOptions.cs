namespace Skylark.Events.Broker.Journal;

/// <summary>
/// The broker's durable event journal (docs/journal.md): accepted events are appended and fsynced before the ingress
/// answers 202, and delivery progress is recorded, so a restart on the same <see cref="Directory"/> delivers whatever
/// had not been delivered yet.
/// </summary>
public sealed class JournalOptions
{
    /// <summary>Folder holding the segment files; created if missing. One broker process per folder.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>A segment is closed and a new one started once it would grow past this size.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// History kept for replay and export: the oldest segments whose events are all delivered are deleted while the
    /// journal is larger than this.
    /// </summary>
    public long RetainBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Segments whose events are all delivered and whose newest record is older than this are deleted.</summary>
    public TimeSpan RetainAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Hard limit on the journal's size. Past it the oldest segments are deleted even when some of their events are
    /// not delivered yet (each lost delivery is counted and logged as an error): a subscriber that never recovers
    /// cannot fill the disk. Null: no hard limit.
    /// </summary>
    public long? MaxBytes { get; set; }

    /// <summary>
    /// What to do about damage that is not a torn tail (intact records after it, or any damage in an older segment).
    /// False (default): the broker does not start, and the error names the segment, the offset and the intact records
    /// after it. True: the damaged bytes are moved to a quarantine file beside the segment
    /// (<c>{segment}.quarantine-{offset}</c>) and every intact record before and after them is recovered.
    /// </summary>
    public bool Repair { get; set; }

    /// <summary>How often retention runs besides whenever a segment is closed.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("The journal needs a directory.", nameof(Directory));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentBytes, 4096, nameof(SegmentBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(RetainBytes, nameof(RetainBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetainAge, TimeSpan.Zero, nameof(RetainAge));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetentionInterval, TimeSpan.Zero, nameof(RetentionInterval));
        if (MaxBytes is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, SegmentBytes, nameof(MaxBytes));
        }
    }
}
