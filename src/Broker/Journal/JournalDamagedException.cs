namespace Skylark.Events.Broker.Journal;

/// <summary>
/// The journal is damaged somewhere other than a torn tail, and <see cref="JournalOptions.Repair"/> is off: starting
/// would mean either dropping accepted events or guessing, so the broker does not start.
/// </summary>
public sealed class JournalDamagedException : Exception
{
    public JournalDamagedException()
    {
    }

    public JournalDamagedException(string message)
        : base(message)
    {
    }

    public JournalDamagedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal JournalDamagedException(IReadOnlyList<JournalDamage> damage)
        : base(Describe(damage)) => Damage = damage;

    /// <summary>Every damaged stretch that is not a torn tail, oldest first.</summary>
    public IReadOnlyList<JournalDamage> Damage { get; } = [];

    private static string Describe(IReadOnlyList<JournalDamage> damage)
    {
        var first = damage[0];
        var more = damage.Count > 1 ? $" (and {damage.Count - 1} more damaged place(s))" : string.Empty;
        return $"Journal segment {first.Segment} is damaged at offset {first.Offset} ({first.Reason}; {first.Bytes} byte(s)) "
            + $"with {first.IntactRecordsAfter} intact record(s) after it in that segment{more}. This is not a torn tail "
            + "from a crash, so the broker does not start. 'skylark journal verify' lists every finding; starting with "
            + "--journal-repair true (SKYLARK_JOURNAL_REPAIR, JournalOptions.Repair) moves the damaged bytes to a "
            + "quarantine file beside the segment and recovers every intact record.";
    }
}
