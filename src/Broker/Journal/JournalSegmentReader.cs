using System.Buffers.Binary;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// Reads a segment's records in order, checking each one's length and checksum. Reading stops at the first record
/// that is cut short or does not match its checksum — a torn write if it is the tail of the newest segment —
/// and <see cref="DamagedAt"/> says where the intact part ends. An all-zero record header is the clean end of the
/// records: the writer extends the newest segment with zeros ahead of them.
/// </summary>
internal sealed class JournalSegmentReader : IDisposable
{
    private readonly FileStream stream;
    private readonly byte[] header = new byte[JournalFormat.RecordHeaderBytes];
    private long position;
    private long? zerosAt;

    public JournalSegmentReader(string path)
    {
        Path = path;
        stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        Length = stream.Length;
        Span<byte> segmentHeader = stackalloc byte[JournalFormat.HeaderBytes];
        if (Length < JournalFormat.HeaderBytes || stream.ReadAtLeast(segmentHeader, JournalFormat.HeaderBytes, throwOnEndOfStream: false) < JournalFormat.HeaderBytes)
        {
            Fail(0, $"the file is shorter than the {JournalFormat.HeaderBytes}-byte segment header");
        }
        else if (!JournalFormat.IsSegmentHeader(segmentHeader))
        {
            Fail(0, "the segment header is not SKYJ version 1");
        }
        else
        {
            position = JournalFormat.HeaderBytes;
        }
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>Where the intact records end when reading stopped on damage; null while (or when) all is intact.</summary>
    public long? DamagedAt { get; private set; }

    /// <summary>What was wrong at <see cref="DamagedAt"/>.</summary>
    public string? Damage { get; private set; }

    /// <summary>Bytes from <see cref="DamagedAt"/> to the end of the file.</summary>
    public long DamagedBytes => DamagedAt is { } at ? Length - at : 0;

    /// <summary>Where the intact records end (once reading stopped): at damage, at zeros, or at the end of the file.</summary>
    public long DataEnd => DamagedAt ?? zerosAt ?? position;

    /// <summary>The next intact record; false at the end of the file or at damage.</summary>
    public bool TryReadNext(out JournalRecord record)
    {
        record = default;
        if (DamagedAt is not null || zerosAt is not null || position >= Length)
        {
            return false;
        }

        var start = position;
        if (Length - start < JournalFormat.RecordHeaderBytes)
        {
            return Fail(start, "a record header is cut short");
        }

        stream.ReadExactly(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (length == 0 && checksum == 0)
        {
            // Space written ahead as zeros. Whatever might follow belongs to a batch whose fsync never returned.
            zerosAt = start;
            return false;
        }

        if (length == 0 || length > JournalFormat.MaxRecordBodyBytes)
        {
            return Fail(start, $"a record claims {length} byte(s)");
        }

        if (length > Length - start - JournalFormat.RecordHeaderBytes)
        {
            return Fail(start, $"a record of {length} byte(s) is cut short");
        }

        var body = new byte[length];
        stream.ReadExactly(body);
        if (JournalFormat.Checksum(header.AsSpan(0, 4), body) != checksum)
        {
            return Fail(start, "a record does not match its checksum");
        }

        if (body[0] is not ((byte)JournalRecordType.Event or (byte)JournalRecordType.Ack))
        {
            return Fail(start, $"a record has unknown type {body[0]}");
        }

        position = start + JournalFormat.RecordHeaderBytes + length;
        record = new JournalRecord((JournalRecordType)body[0], start, body);
        return true;
    }

    /// <summary>The body of the record at <paramref name="offset"/> (found by an earlier scan).</summary>
    public static byte[] ReadBodyAt(string path, long offset, int bodyLength)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var body = new byte[bodyLength];
        var read = 0;
        while (read < bodyLength)
        {
            var n = RandomAccess.Read(handle, body.AsSpan(read), offset + JournalFormat.RecordHeaderBytes + read);
            read += n > 0 ? n : throw new IOException($"{path} ended inside the record at offset {offset}.");
        }

        return body;
    }

    public void Dispose() => stream.Dispose();

    private bool Fail(long at, string reason)
    {
        DamagedAt = at;
        Damage = reason;
        return false;
    }
}
