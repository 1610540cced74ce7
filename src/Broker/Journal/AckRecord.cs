using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// The body of an ack record: type, Trigger name (u16 length + UTF-8), count (u32), then that many sequences (u64):
/// deliveries of that Trigger that reached a final outcome.
/// </summary>
internal static class AckRecord
{
    public static void Write(IBufferWriter<byte> output, string trigger, IReadOnlyList<long> sequences)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(trigger);
        var size = 1 + sizeof(ushort) + nameBytes + sizeof(uint) + (sequences.Count * sizeof(long));
        var body = output.GetSpan(JournalFormat.RecordHeaderBytes + size)[..(JournalFormat.RecordHeaderBytes + size)];
        var span = body[JournalFormat.RecordHeaderBytes..];
        span[0] = (byte)JournalRecordType.Ack;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], checked((ushort)nameBytes));
        Encoding.UTF8.GetBytes(trigger, span[3..]);
        var at = 3 + nameBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)sequences.Count);
        at += sizeof(uint);
        foreach (var sequence in sequences)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], sequence);
            at += sizeof(long);
        }

        JournalFormat.WriteRecordHeader(body, span);
        output.Advance(body.Length);
    }

    /// <exception cref="FormatException">The body is not a well-formed ack record.</exception>
    public static (string Trigger, long[] Sequences) Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            var nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[1..]);
            var trigger = Encoding.UTF8.GetString(body.Slice(3, nameBytes));
            var at = 3 + nameBytes;
            var count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(body[at..]));
            at += sizeof(uint);
            if (body.Length - at != (long)count * sizeof(long))
            {
                throw new FormatException("The ack record's count does not match its length.");
            }

            var sequences = new long[count];
            for (var i = 0; i < count; i++)
            {
                sequences[i] = BinaryPrimitives.ReadInt64LittleEndian(body[(at + (i * sizeof(long)))..]);
            }

            return (trigger, sequences);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new FormatException("The ack record is malformed.", e);
        }
    }
}
