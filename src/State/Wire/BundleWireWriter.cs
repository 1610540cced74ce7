using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Skylark.Events.State.Wire;

/// <summary>
/// Writes a bundle stream (<see cref="BundleWireFormat"/>) entry by entry, straight to the stream:
/// small fields are gathered in a pooled buffer, large values are written from the bundle without another copy.
/// The entry count is fixed up front, so the reader knows when the stream is complete.
/// </summary>
public sealed class BundleWireWriter : IAsyncDisposable
{
    private const int ScratchSize = 16 * 1024;

    /// <summary>Values up to this size are copied into the scratch buffer; larger ones are written directly.</summary>
    private const int InlineValueLimit = 4 * 1024;

    private readonly Stream _stream;
    private readonly int _count;
    private byte[]? _scratch;
    private int _used;
    private int _written;
    private bool _headerWritten;
    private bool _completed;

    /// <param name="stream">Where the stream goes; not disposed by the writer.</param>
    /// <param name="count">How many entries will be written.</param>
    public BundleWireWriter(Stream stream, int count)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BundleWireFormat.MaxEntries);
        _stream = stream;
        _count = count;
        _scratch = ArrayPool<byte>.Shared.Rent(ScratchSize);
    }

    public async ValueTask WriteAsync(BundleWireEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ObjectDisposedException.ThrowIf(_scratch is null, this);
        if (_completed || _written == _count)
        {
            throw new InvalidOperationException($"This bundle stream was declared with {_count} entries; no more can be written.");
        }

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

    /// <summary>Writes the trailer and flushes. Fails when fewer entries were written than declared.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_scratch is null, this);
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

    private void WriteHeaderOnce()
    {
        if (_headerWritten)
        {
            return;
        }

        // The scratch buffer is empty before the header, so it always fits.
        var header = Span();
        BundleWireFormat.HeaderMagic.CopyTo(header);
        header[4] = BundleWireFormat.FormatVersion;
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
