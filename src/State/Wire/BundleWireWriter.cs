using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Skylark.Events.State.Wire;

/// <summary>
/// Writes a bundle stream (<see cref="BundleWireFormat"/>) entry by entry, straight to the stream:
/// small fields are gathered in a pooled buffer, large values are written from the bundle without another copy.
/// The entry count is fixed up front, so the reader knows when the stream is complete. In format version 2 an entry
/// can also be streamed: <see cref="BeginStreamedAsync"/>, an <see cref="WriteStreamedItemAsync"/> per item (each
/// flushed), then <see cref="CommitStreamedAsync"/> (the writer counts the items and bytes it sent) or
/// <see cref="AbortStreamedAsync"/>.
/// </summary>
public sealed class BundleWireWriter : IAsyncDisposable
{
    private const int ScratchSize = 16 * 1024;

    /// <summary>Values up to this size are copied into the scratch buffer; larger ones are written directly.</summary>
    private const int InlineValueLimit = 4 * 1024;

    private readonly Stream _stream;
    private readonly int _count;
    private readonly byte _formatVersion;
    private byte[]? _scratch;
    private int _used;
    private int _written;
    private bool _headerWritten;
    private bool _completed;
    private bool _streaming;
    private int _streamedItems;
    private long _streamedBytes;

    /// <param name="stream">Where the stream goes; not disposed by the writer.</param>
    /// <param name="count">How many entries will be written.</param>
    /// <param name="formatVersion"><see cref="BundleWireFormat.FormatVersion"/>, or <see cref="BundleWireFormat.StreamingFormatVersion"/> to stream entries.</param>
    public BundleWireWriter(Stream stream, int count, byte formatVersion = BundleWireFormat.FormatVersion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BundleWireFormat.MaxEntries);
        if (formatVersion is not (BundleWireFormat.FormatVersion or BundleWireFormat.StreamingFormatVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(formatVersion), formatVersion, "The bundle stream format has versions 1 and 2.");
        }

        _stream = stream;
        _count = count;
        _formatVersion = formatVersion;
        _scratch = ArrayPool<byte>.Shared.Rent(ScratchSize);
    }

    /// <summary>True between <see cref="BeginStreamedAsync"/> and the streamed entry's commit or abort.</summary>
    public bool InStreamedEntry => _streaming;

    /// <summary>Writes a found, not found or not modified entry (a streamed one is written with <see cref="BeginStreamedAsync"/>).</summary>
    public async ValueTask WriteAsync(BundleWireEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Status == BundleWireStatus.Streamed)
        {
            throw new ArgumentException("A streamed entry is written item by item: BeginStreamedAsync, WriteStreamedItemAsync, then CommitStreamedAsync or AbortStreamedAsync.", nameof(entry));
        }

        EnsureEntryAllowed();
        WriteHeaderOnce();
        var stateRef = entry.StateRef.ToString();
        await EnsureRoomAsync(3 + BundleWireFormat.MaxStateRefBytes + 8 + 8 + 4, cancellationToken).ConfigureAwait(false);
        Span()[0] = (byte)entry.Status;
        _used++;
        WriteLengthPrefixed(stateRef);
        switch (entry.Status)
        {
            case BundleWireStatus.Found:
                var bundle = entry.Bundle!;
                WriteInt64(bundle.Version);
                WriteInt64(bundle.UpdatedAt.ToUnixTimeMilliseconds());
                WriteUInt32((uint)bundle.Items.Count);
                foreach (var (name, value) in bundle.Items)
                {
                    await WriteItemAsync(name, value, cancellationToken).ConfigureAwait(false);
                }

                break;
            case BundleWireStatus.NotModified:
                WriteInt64(entry.Version);
                break;
        }

        _written++;
    }

    /// <summary>Begins a streamed entry for <paramref name="stateRef"/> (format version 2) and flushes, so the receiver learns of it at once.</summary>
    public async ValueTask BeginStreamedAsync(Contracts.StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        if (_formatVersion < BundleWireFormat.StreamingFormatVersion)
        {
            throw new InvalidOperationException($"Streamed entries need format version {BundleWireFormat.StreamingFormatVersion}; this stream is version {_formatVersion}.");
        }

        EnsureEntryAllowed();
        WriteHeaderOnce();
        await EnsureRoomAsync(3 + BundleWireFormat.MaxStateRefBytes, cancellationToken).ConfigureAwait(false);
        Span()[0] = (byte)BundleWireStatus.Streamed;
        _used++;
        WriteLengthPrefixed(stateRef.ToString());
        _streaming = true;
        _streamedItems = 0;
        _streamedBytes = 0;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one item of the streamed entry and flushes it.</summary>
    public async ValueTask WriteStreamedItemAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        EnsureStreaming();
        await EnsureRoomAsync(1, cancellationToken).ConfigureAwait(false);
        Span()[0] = BundleWireFormat.ItemPart;
        _used++;
        await WriteItemAsync(name, value, cancellationToken).ConfigureAwait(false);
        _streamedItems++;
        _streamedBytes += Encoding.UTF8.GetByteCount(name) + value.Length;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the streamed entry with its commit: the version its items became, with the item count and size this writer sent.</summary>
    public async ValueTask CommitStreamedAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        EnsureStreaming();
        await EnsureRoomAsync(1 + 8 + 8 + 4 + 8, cancellationToken).ConfigureAwait(false);
        Span()[0] = BundleWireFormat.CommitPart;
        _used++;
        WriteInt64(version);
        WriteInt64(updatedAt.ToUnixTimeMilliseconds());
        WriteUInt32((uint)_streamedItems);
        WriteInt64(_streamedBytes);
        await EndStreamedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the streamed entry without a commit: the receiver keeps nothing of it. Reasons beyond <see cref="BundleWireFormat.MaxAbortReasonBytes"/> are cut.</summary>
    public async ValueTask AbortStreamedAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        EnsureStreaming();
        var bytes = Encoding.UTF8.GetBytes(reason);
        var length = bytes.Length;
        if (length > BundleWireFormat.MaxAbortReasonBytes)
        {
            // Cut on a character boundary: a UTF-8 continuation byte is 10xxxxxx.
            length = BundleWireFormat.MaxAbortReasonBytes;
            while (length > 0 && (bytes[length] & 0xC0) == 0x80)
            {
                length--;
            }
        }

        await EnsureRoomAsync(1 + 2 + BundleWireFormat.MaxAbortReasonBytes, cancellationToken).ConfigureAwait(false);
        Span()[0] = BundleWireFormat.AbortPart;
        BinaryPrimitives.WriteUInt16LittleEndian(Span(1), (ushort)length);
        bytes.AsSpan(0, length).CopyTo(Span(3));
        _used += 3 + length;
        await EndStreamedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what is buffered and flushes the underlying stream.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_scratch is null, this);
        await FlushScratchAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the trailer and flushes. Fails when fewer entries were written than declared.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_scratch is null, this);
        if (_streaming)
        {
            throw new InvalidOperationException("A streamed entry is still open: commit or abort it first.");
        }

        if (_written != _count)
        {
            throw new InvalidOperationException($"This bundle stream was declared with {_count} entries but {_written} were written.");
        }

        WriteHeaderOnce();
        await EnsureRoomAsync(BundleWireFormat.TrailerLength, cancellationToken).ConfigureAwait(false);
        BundleWireFormat.TrailerMagic.CopyTo(Span());
        _used += BundleWireFormat.TrailerLength;
        await FlushScratchAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public ValueTask DisposeAsync()
    {
        if (_scratch is { } scratch)
        {
            _scratch = null;
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask WriteItemAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        await EnsureRoomAsync(2 + BundleWireFormat.MaxItemNameBytes + 4 + InlineValueLimit, cancellationToken).ConfigureAwait(false);
        WriteLengthPrefixed(name);
        WriteUInt32((uint)value.Length);
        if (value.Length <= InlineValueLimit)
        {
            value.Span.CopyTo(Span());
            _used += value.Length;
            return;
        }

        await FlushScratchAsync(cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask EndStreamedAsync(CancellationToken cancellationToken)
    {
        _streaming = false;
        _written++;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void EnsureEntryAllowed()
    {
        ObjectDisposedException.ThrowIf(_scratch is null, this);
        if (_streaming)
        {
            throw new InvalidOperationException("A streamed entry is still open: commit or abort it first.");
        }

        if (_completed || _written == _count)
        {
            throw new InvalidOperationException($"This bundle stream was declared with {_count} entries; no more can be written.");
        }
    }

    private void EnsureStreaming()
    {
        ObjectDisposedException.ThrowIf(_scratch is null, this);
        if (!_streaming)
        {
            throw new InvalidOperationException("No streamed entry is open: call BeginStreamedAsync first.");
        }
    }

    private void WriteHeaderOnce()
    {
        if (_headerWritten)
        {
            return;
        }

        // The scratch buffer is empty before the header, so it always fits.
        var header = Span();
        BundleWireFormat.HeaderMagic.CopyTo(header);
        header[4] = _formatVersion;
        header[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)_count);
        _used += BundleWireFormat.HeaderLength;
        _headerWritten = true;
    }

    /// <summary>The free part of the scratch buffer, from <paramref name="skip"/> bytes past what is used.</summary>
    private Span<byte> Span(int skip = 0) => _scratch.AsSpan(_used + skip);

    /// <summary>u16 byte length, then the UTF-8 bytes (StateRefs and item names are short: see their Max*Bytes).</summary>
    private void WriteLengthPrefixed(string text)
    {
        var length = Encoding.UTF8.GetBytes(text, Span(2));
        BinaryPrimitives.WriteUInt16LittleEndian(Span(), (ushort)length);
        _used += 2 + length;
    }

    private void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Span(), value);
        _used += 4;
    }

    private void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Span(), value);
        _used += 8;
    }

    private async ValueTask EnsureRoomAsync(int bytes, CancellationToken cancellationToken)
    {
        if (ScratchSize - _used < bytes)
        {
            await FlushScratchAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushScratchAsync(CancellationToken cancellationToken)
    {
        if (_used > 0)
        {
            await _stream.WriteAsync(_scratch.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
            _used = 0;
        }
    }
}
