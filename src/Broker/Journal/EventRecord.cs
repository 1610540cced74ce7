using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// The body of an event record: type, sequence (u64), append time (i64 Unix ms), TTL (i32), broker, Trigger names,
/// the attributes as a structured-mode JSON object (u32 length + bytes), then the data bytes to the end. Data is kept
/// apart from the JSON so a recovered event reaches subscribers byte for byte as it first would have.
/// </summary>
internal static class EventRecord
{
    private const int SequenceOffset = 1;
    private const int AppendedAtOffset = SequenceOffset + sizeof(long);
    private const int TtlOffset = AppendedAtOffset + sizeof(long);
    private const int FixedBytes = TtlOffset + sizeof(int);

    /// <summary>Encodes everything but the sequence and append time, which the journal's writer fills in.</summary>
    public static byte[] Encode(string broker, CloudEvent cloudEvent, int ttl, IReadOnlyList<string> triggers)
    {
        var attributes = new ArrayBufferWriter<byte>(256);
        WriteAttributes(cloudEvent, attributes);
        var data = BinaryModeRequest.EncodeData(cloudEvent).Span;

        var size = FixedBytes + StringBytes(broker) + sizeof(ushort) + sizeof(uint) + attributes.WrittenCount + data.Length;
        foreach (var trigger in triggers)
        {
            size += StringBytes(trigger);
        }

        var body = new byte[size];
        body[0] = (byte)JournalRecordType.Event;
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(TtlOffset), ttl);
        var at = FixedBytes;
        at += WriteString(body.AsSpan(at), broker);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(at), checked((ushort)triggers.Count));
        at += sizeof(ushort);
        foreach (var trigger in triggers)
        {
            at += WriteString(body.AsSpan(at), trigger);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(at), (uint)attributes.WrittenCount);
        at += sizeof(uint);
        attributes.WrittenSpan.CopyTo(body.AsSpan(at));
        at += attributes.WrittenCount;
        data.CopyTo(body.AsSpan(at));
        return body;
    }

    public static void Stamp(Span<byte> body, long sequence, DateTimeOffset appendedAt)
    {
        BinaryPrimitives.WriteInt64LittleEndian(body[SequenceOffset..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(body[AppendedAtOffset..], appendedAt.ToUnixTimeMilliseconds());
    }

    /// <summary>The sequence alone, without decoding the rest.</summary>
    public static long SequenceOf(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadInt64LittleEndian(body[SequenceOffset..]);

    /// <exception cref="FormatException">The body is not a well-formed event record.</exception>
    public static JournalEvent Decode(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        try
        {
            if (span[0] != (byte)JournalRecordType.Event)
            {
                throw new FormatException("Not an event record.");
            }

            var sequence = BinaryPrimitives.ReadInt64LittleEndian(span[SequenceOffset..]);
            var appendedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[AppendedAtOffset..]));
            var ttl = BinaryPrimitives.ReadInt32LittleEndian(span[TtlOffset..]);
            var at = FixedBytes;
            var broker = ReadString(span, ref at);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            at += sizeof(ushort);
            var triggers = new string[count];
            for (var i = 0; i < count; i++)
            {
                triggers[i] = ReadString(span, ref at);
            }

            var attributesLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(span[at..]));
            at += sizeof(uint);
            var attributes = body.Slice(at, attributesLength);
            at += attributesLength;
            return new JournalEvent(sequence, appendedAt, broker, ttl, triggers, attributes, body[at..]);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException or IndexOutOfRangeException)
        {
            throw new FormatException("The event record is malformed.", e);
        }
    }

    /// <summary>Structured-mode JSON of the attributes, as the JSON event format writes them (data left out).</summary>
    private static void WriteAttributes(CloudEvent cloudEvent, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString(CloudEventsSpecVersion.SpecVersionAttribute.Name, cloudEvent.SpecVersion.VersionId);
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute.Name == CloudEventsSpecVersion.SpecVersionAttribute.Name)
            {
                continue;
            }

            if (attribute.Type == CloudEventAttributeType.Boolean)
            {
                writer.WriteBoolean(attribute.Name, (bool)value);
            }
            else if (attribute.Type == CloudEventAttributeType.Integer)
            {
                writer.WriteNumber(attribute.Name, (int)value);
            }
            else
            {
                writer.WriteString(attribute.Name, attribute.Format(value));
            }
        }

        writer.WriteEndObject();
    }

    private static int StringBytes(string value) => sizeof(ushort) + Encoding.UTF8.GetByteCount(value);

    private static int WriteString(Span<byte> destination, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[sizeof(ushort)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)length));
        return sizeof(ushort) + length;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int at)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        at += sizeof(ushort);
        var value = Encoding.UTF8.GetString(span.Slice(at, length));
        at += length;
        return value;
    }
}
