using System.Buffers.Binary;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// A stretch of a segment that holds no intact record, and the intact records that follow it in the same segment.
/// <c>RecordsStarted</c> (for a stretch that runs to the end) is how many records had begun inside it, found by
/// following length fields, checksums aside: the sequence numbers a torn tail may have held.
/// </summary>
internal readonly record struct SegmentDamage(long Offset, long Bytes, string Reason, long RecordsAfter, int RecordsStarted)
{
    public long End => Offset + Bytes;
}

/// <summary>
/// Reads a segment's records in order, checking each one's length and checksum. A record that is cut short or does not
/// match its checksum starts a damaged stretch; reading goes on at the next offset where an intact record starts, so
/// the records after damage are still read, and <see cref="Damage"/> says what was skipped. Damage with nothing intact
/// after it ends the segment (a torn tail if it is the newest). An all-zero record header is the clean end of the
/// records: the writer extends the newest segment with zeros ahead of them.
/// </summary>
internal sealed class JournalSegmentReader : IDisposable
{
    // Enough of a body to tell a record start from other bytes before its checksum is worth computing.
    private const int ProbeBytes = 32;
    private const int WindowBytes = 1024 * 1024;

    private readonly FileStream stream;
    private readonly byte[] header = new byte[JournalFormat.RecordHeaderBytes];
    private readonly List<SegmentDamage> damage = [];
    private readonly List<(long Start, long End)> runs = [];
    private long position;
    private long? runStart;
    private long? zerosAt;
    private bool finished;
    private long records;

    public JournalSegmentReader(string path)
    {
        Path = path;
        stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        Length = stream.Length;
        Span<byte> segmentHeader = stackalloc byte[JournalFormat.HeaderBytes];
        if (Length < JournalFormat.HeaderBytes || stream.ReadAtLeast(segmentHeader, JournalFormat.HeaderBytes, throwOnEndOfStream: false) < JournalFormat.HeaderBytes)
        {
            Damaged(0, $"the file is shorter than the {JournalFormat.HeaderBytes}-byte segment header");
        }
        else if (!JournalFormat.IsSegmentHeader(segmentHeader))
        {
            Damaged(0, "the segment header is not SKYJ version 1");
        }
        else
        {
            position = JournalFormat.HeaderBytes;
        }
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>Every damaged stretch, in file order; complete once <see cref="TryReadNext"/> returned false.</summary>
    public IReadOnlyList<SegmentDamage> Damage => damage;

    /// <summary>Offsets of the intact records, as contiguous runs between damaged stretches; complete once reading stopped.</summary>
    public IReadOnlyList<(long Start, long End)> IntactRuns => runs;

    /// <summary>Intact records read so far.</summary>
    public long Records => records;

    /// <summary>
    /// Damage with no intact record after it in this segment (once reading stopped): what a crash mid-append leaves
    /// on the newest segment. Null when the segment ends cleanly.
    /// </summary>
    public SegmentDamage? Tail => damage.Count > 0 && damage[^1].End >= Length ? damage[^1] : null;

    /// <summary>Where the intact records end (once reading stopped): at a damaged tail, at zeros, or at the end of the file.</summary>
    public long DataEnd => Tail?.Offset ?? zerosAt ?? position;

    /// <summary>The next intact record; false at the end of the file, at the zeros after the records, or at a damaged tail.</summary>
    public bool TryReadNext(out JournalRecord record)
    {
        record = default;
        while (!finished)
        {
            if (position >= Length)
            {
                Finish();
                break;
            }

            var start = position;
            if (TryRead(start, out record, out var problem))
            {
                runStart ??= start;
                position = start + record.StoredBytes;
                records++;
                return true;
            }

            if (problem is null)
            {
                // An all-zero header: space written ahead, unless intact records follow the zeros (then they are damage).
                if (FindNextRecord(start + 1) is { } next)
                {
                    Damaged(start, "zeros where records go on", next);
                    continue;
                }

                zerosAt = start;
                Finish();
                break;
            }

            Damaged(start, problem);
        }

        return false;
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

    /// <summary>Reads the record at <paramref name="start"/>; on failure <paramref name="problem"/> says why (null: an all-zero header).</summary>
    private bool TryRead(long start, out JournalRecord record, out string? problem)
    {
        record = default;
        if (stream.Position != start)
        {
            stream.Position = start;
        }

        if (Length - start < JournalFormat.RecordHeaderBytes)
        {
            stream.ReadAtLeast(header, (int)(Length - start), throwOnEndOfStream: false);
            problem = header.AsSpan(0, (int)(Length - start)).ContainsAnyExcept((byte)0) ? "a record header is cut short" : null;
            return false;
        }

        stream.ReadExactly(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (length == 0 && checksum == 0)
        {
            problem = null;
            return false;
        }

        if (length == 0 || length > JournalFormat.MaxRecordBodyBytes)
        {
            problem = $"a record claims {length} byte(s)";
            return false;
        }

        if (length > Length - start - JournalFormat.RecordHeaderBytes)
        {
            problem = $"a record of {length} byte(s) is cut short";
            return false;
        }

        var body = new byte[length];
        stream.ReadExactly(body);
        if (JournalFormat.Checksum(header.AsSpan(0, 4), body) != checksum)
        {
            problem = "a record does not match its checksum";
            return false;
        }

        if (body[0] is not ((byte)JournalRecordType.Event or (byte)JournalRecordType.Ack))
        {
            problem = $"a record has unknown type {body[0]}";
            return false;
        }

        problem = null;
        record = new JournalRecord((JournalRecordType)body[0], start, body);
        return true;
    }

    /// <summary>Records damage from <paramref name="at"/> to the next intact record (or the end) and goes on there.</summary>
    private void Damaged(long at, string reason, long? next = null)
    {
        CloseRun();
        var end = next ?? FindNextRecord(at + 1) ?? Length;
        damage.Add(new SegmentDamage(at, end - at, reason, -records, end >= Length ? CountRecordStarts(Math.Max(at, JournalFormat.HeaderBytes)) : 1));
        position = end;
        if (end >= Length)
        {
            Finish();
        }
    }

    private void Finish()
    {
        if (finished)
        {
            return;
        }

        finished = true;
        CloseRun();

        // Each stretch held minus the records read before it; now that all are read, that is what follows it.
        for (var i = 0; i < damage.Count; i++)
        {
            damage[i] = damage[i] with { RecordsAfter = damage[i].RecordsAfter + records };
        }
    }

    private void CloseRun()
    {
        if (runStart is { } start)
        {
            runs.Add((start, position));
            runStart = null;
        }
    }

    /// <summary>
    /// The first offset from <paramref name="from"/> on where an intact record starts. Cheap checks of the header and
    /// the body's first fields come first, so only a likely start costs a checksum.
    /// </summary>
    private long? FindNextRecord(long from)
    {
        var handle = stream.SafeFileHandle;
        var window = new byte[(int)Math.Min(WindowBytes, Math.Max(0, Length - from))];
        long windowStart = from;
        var filled = 0;
        for (var at = from; at + JournalFormat.RecordHeaderBytes < Length; at++)
        {
            if (at + JournalFormat.RecordHeaderBytes + ProbeBytes > windowStart + filled && windowStart + filled < Length)
            {
                windowStart = at;
                filled = ReadAt(handle, window, at);
            }

            var probe = window.AsSpan((int)(at - windowStart), (int)Math.Min(filled - (at - windowStart), JournalFormat.RecordHeaderBytes + ProbeBytes));
            if (LooksLikeRecord(probe, Length - at) && TryRead(at, out _, out _))
            {
                return at;
            }
        }

        return null;
    }

    private static bool LooksLikeRecord(ReadOnlySpan<byte> probe, long remaining)
    {
        if (probe.Length <= JournalFormat.RecordHeaderBytes)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(probe);
        if (length == 0 || length > JournalFormat.MaxRecordBodyBytes || length > remaining - JournalFormat.RecordHeaderBytes)
        {
            return false;
        }

        var body = probe[JournalFormat.RecordHeaderBytes..];
        return (JournalRecordType)body[0] switch
        {
            JournalRecordType.Event => body.Length < 17 || (BinaryPrimitives.ReadInt64LittleEndian(body[1..]) > 0 && BinaryPrimitives.ReadInt64LittleEndian(body[9..]) is >= 0 and <= MaxUnixMilliseconds),
            JournalRecordType.Ack => body.Length < 3 || (length >= 7 + BinaryPrimitives.ReadUInt16LittleEndian(body[1..]) && (length - 7 - BinaryPrimitives.ReadUInt16LittleEndian(body[1..])) % sizeof(long) == 0),
            _ => false,
        };
    }

    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>Records begun from <paramref name="at"/> on, following their length fields until one makes no sense.</summary>
    private int CountRecordStarts(long at)
    {
        var handle = stream.SafeFileHandle;
        Span<byte> bytes = stackalloc byte[JournalFormat.RecordHeaderBytes];
        var count = 0;
        while (at < Length)
        {
            var read = ReadAt(handle, bytes, at);
            if (!bytes[..read].ContainsAnyExcept((byte)0))
            {
                break;
            }

            count++;
            var length = read == bytes.Length ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : 0;
            if (length == 0 || length > JournalFormat.MaxRecordBodyBytes)
            {
                break;
            }

            at += JournalFormat.RecordHeaderBytes + length;
        }

        return count;
    }

    private static int ReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[filled..], offset + filled);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }
}
