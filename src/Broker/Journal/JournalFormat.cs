using System.Buffers.Binary;
using System.Globalization;

namespace Skylark.Events.Broker.Journal;

/// <summary>What a journal record holds.</summary>
public enum JournalRecordType : byte
{
    /// <summary>An accepted event and the Triggers it was queued for.</summary>
    Event = 1,

    /// <summary>Deliveries of one Trigger that reached a final outcome (delivered, dead-lettered or dropped).</summary>
    Ack = 2,
}

/// <summary>
/// On-disk layout (docs/journal.md). A segment file <c>{first sequence:D20}.journal</c> starts with the 8-byte header
/// <c>SKYJ</c> + version (u32 LE), followed by records: body length (u32 LE), CRC-32C of the length bytes and the body
/// (u32 LE), then the body, whose first byte is the <see cref="JournalRecordType"/>.
/// </summary>
public static class JournalFormat
{
    public const string SegmentExtension = ".journal";
    public const int HeaderBytes = 8;
    public const int RecordHeaderBytes = 8;
    public const uint Version = 1;

    /// <summary>Larger lengths can only be a torn or corrupt length field.</summary>
    public const int MaxRecordBodyBytes = 256 * 1024 * 1024;

    public static ReadOnlySpan<byte> Magic => "SKYJ"u8;

    public static string SegmentFileName(long firstSequence) =>
        firstSequence.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>The journal's segment files, oldest first (their names sort by first sequence).</summary>
    public static IReadOnlyList<string> Segments(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var files = System.IO.Directory.GetFiles(directory, "*" + SegmentExtension)
            .Where(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
    }

    public static bool IsSegmentHeader(ReadOnlySpan<byte> header) =>
        header.Length >= HeaderBytes && header[..4].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Version;

    /// <summary>Writes the 8-byte record header for <paramref name="body"/> (its length and checksum).</summary>
    public static void WriteRecordHeader(Span<byte> destination, ReadOnlySpan<byte> body)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(destination[..4], body));
    }

    /// <summary>The checksum covers the length too, so a damaged length field is caught like damaged content.</summary>
    public static uint Checksum(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> body) =>
        ~Crc32C.Append(Crc32C.Append(uint.MaxValue, lengthBytes), body);
}
