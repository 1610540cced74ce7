namespace Skylark.Events.Broker.Journal;

/// <summary>One intact record: its type, where it starts in its segment, and its body (type byte included).</summary>
internal readonly record struct JournalRecord(JournalRecordType Type, long Offset, ReadOnlyMemory<byte> Body)
{
    public int StoredBytes => JournalFormat.RecordHeaderBytes + Body.Length;
}
