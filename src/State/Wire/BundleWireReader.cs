using System.Buffers.Binary;
using Skylark.Events.Contracts;

namespace Skylark.Events.State.Wire;

/// <summary>
/// Reads a bundle stream (<see cref="BundleWireFormat"/>) and checks every length before trusting it: against the end
/// of the stream (truncation), against <see cref="BundleWireLimits"/> (before allocating), and against the declared
/// entry count and trailer (completeness). Nothing is returned unless the whole stream is valid.
/// </summary>
public sealed class BundleWireReader
{
    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private readonly Stream _stream;
    private readonly BundleWireLimits _limits;
    private readonly byte[] _small = new byte[BundleWireFormat.MaxItemNameBytes];
    private long _position;

    public BundleWireReader(Stream stream, BundleWireLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        _stream = stream;
        _limits = limits;
    }

    /// <exception cref="BundleWireFormatException">The stream is truncated, corrupt, over a limit, or followed by more bytes.</exception>
    public async Task<IReadOnlyList<BundleWireEntry>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await ReadExactlyAsync(BundleWireFormat.HeaderLength, "the header", cancellationToken).ConfigureAwait(false);
        if (!_small.AsSpan(0, 4).SequenceEqual(BundleWireFormat.HeaderMagic))
        {
            throw new BundleWireFormatException($"it does not start with 'SKYB' (is it really {BundleWireFormat.MediaType}?).");
        }

        if (_small[4] != BundleWireFormat.FormatVersion)
        {
            throw new BundleWireFormatException($"format version {_small[4]} is not supported; this reader knows version {BundleWireFormat.FormatVersion}.");
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(_small.AsSpan(6));
        if (count > _limits.MaxEntries)
        {
            throw new BundleWireFormatException($"it declares {count} entries; at most {_limits.MaxEntries} are accepted.");
        }

        var entries = new List<BundleWireEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(await ReadEntryAsync(i, cancellationToken).ConfigureAwait(false));
        }

        await ReadExactlyAsync(BundleWireFormat.TrailerLength, "the trailer", cancellationToken).ConfigureAwait(false);
        if (!_small.AsSpan(0, BundleWireFormat.TrailerLength).SequenceEqual(BundleWireFormat.TrailerMagic))
        {
            throw new BundleWireFormatException($"the trailer after {count} entries is not 'SKYE' (more entries than declared, or corrupt).");
        }

        if (await _stream.ReadAsync(_small.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new BundleWireFormatException($"bytes follow the trailer at offset {_position}.");
        }

        return entries;
    }

    private async Task<BundleWireEntry> ReadEntryAsync(int index, CancellationToken cancellationToken)
    {
        var where = $"entry {index}";
        await ReadExactlyAsync(3, where, cancellationToken).ConfigureAwait(false);
        var status = _small[0];
        var refLength = BinaryPrimitives.ReadUInt16LittleEndian(_small.AsSpan(1));
        if (refLength > BundleWireFormat.MaxStateRefBytes)
        {
            throw new BundleWireFormatException($"{where}: its StateRef is {refLength} bytes; at most {BundleWireFormat.MaxStateRefBytes} are possible.");
        }

        await ReadExactlyAsync(refLength, $"{where}'s StateRef", cancellationToken).ConfigureAwait(false);
        var text = Decode(_small.AsSpan(0, refLength), $"{where}'s StateRef");
        if (!StateRef.TryParse(text, out var stateRef, out var error))
        {
            throw new BundleWireFormatException($"{where}: {error}");
        }

        where = $"entry {index} ({stateRef})";
        switch ((BundleWireStatus)status)
        {
            case BundleWireStatus.NotFound:
                return BundleWireEntry.NotFound(stateRef);
            case BundleWireStatus.NotModified:
                return BundleWireEntry.NotModified(stateRef, await ReadVersionAsync(where, cancellationToken).ConfigureAwait(false));
            case BundleWireStatus.Found:
                return BundleWireEntry.Found(await ReadBundleAsync(stateRef, where, cancellationToken).ConfigureAwait(false));
            default:
                throw new BundleWireFormatException($"{where}: unknown status {status}.");
        }
    }

    private async Task<long> ReadVersionAsync(string where, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(8, $"{where}'s version", cancellationToken).ConfigureAwait(false);
        var version = BinaryPrimitives.ReadInt64LittleEndian(_small);
        return version >= 1 ? version : throw new BundleWireFormatException($"{where}: version {version} is below 1.");
    }

    private async Task<Bundle> ReadBundleAsync(StateRef stateRef, string where, CancellationToken cancellationToken)
    {
        var version = await ReadVersionAsync(where, cancellationToken).ConfigureAwait(false);
        await ReadExactlyAsync(12, $"{where}'s header", cancellationToken).ConfigureAwait(false);
        var updatedAtMs = BinaryPrimitives.ReadInt64LittleEndian(_small);
        var itemCount = BinaryPrimitives.ReadUInt32LittleEndian(_small.AsSpan(8));
        if (updatedAtMs is < MinUnixMilliseconds or > MaxUnixMilliseconds)
        {
            throw new BundleWireFormatException($"{where}: updated-at {updatedAtMs} ms is not a valid time.");
        }

        // Every item has a name of at least one byte, so a count above the byte limit cannot be honest.
        if (itemCount > _limits.MaxBundleBytes)
        {
            throw new BundleWireFormatException($"{where}: {itemCount} items cannot fit in {_limits.MaxBundleBytes} bytes.");
        }

        var items = new Dictionary<string, ReadOnlyMemory<byte>>((int)Math.Min(itemCount, 256), StringComparer.Ordinal);
        long size = 0;
        for (var i = 0L; i < itemCount; i++)
        {
            var itemWhere = $"{where} item {i}";
            await ReadExactlyAsync(2, itemWhere, cancellationToken).ConfigureAwait(false);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(_small);
            if (nameLength > BundleWireFormat.MaxItemNameBytes)
            {
                throw new BundleWireFormatException($"{itemWhere}: its name is {nameLength} bytes; at most {BundleWireFormat.MaxItemNameBytes} are possible.");
            }

            await ReadExactlyAsync(nameLength, $"{itemWhere}'s name", cancellationToken).ConfigureAwait(false);
            var name = Decode(_small.AsSpan(0, nameLength), $"{itemWhere}'s name");
            if (!BundleItems.IsValidName(name, out var problem))
            {
                throw new BundleWireFormatException($"{itemWhere}: {problem}");
            }

            await ReadExactlyAsync(4, $"{itemWhere} ('{name}') length", cancellationToken).ConfigureAwait(false);
            var valueLength = BinaryPrimitives.ReadUInt32LittleEndian(_small);
            size += nameLength + (long)valueLength;
            if (size > _limits.MaxBundleBytes)
            {
                throw new BundleWireFormatException($"{where} is over {_limits.MaxBundleBytes} bytes (item '{name}' brings it to {size}).");
            }

            var value = new byte[valueLength];
            await ReadExactlyAsync(value, $"{itemWhere} ('{name}') value of {valueLength} bytes", cancellationToken).ConfigureAwait(false);
            if (!items.TryAdd(name, value))
            {
                throw new BundleWireFormatException($"{where}: item '{name}' appears twice.");
            }
        }

        return new Bundle(stateRef, version, DateTimeOffset.FromUnixTimeMilliseconds(updatedAtMs), BundleItems.Adopt(items));
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return BundleWireFormat.StrictUtf8.GetString(bytes);
        }
        catch (ArgumentException error)
        {
            throw new BundleWireFormatException($"{what} is not valid UTF-8.", error);
        }
    }

    private Task ReadExactlyAsync(int count, string what, CancellationToken cancellationToken) =>
        ReadExactlyAsync(_small.AsMemory(0, count), what, cancellationToken);

    private async Task ReadExactlyAsync(Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new BundleWireFormatException(
                    $"truncated at offset {_position + read}: {what} needs {buffer.Length} bytes but the stream ended after {read}.");
            }

            read += n;
        }

        _position += read;
    }
}
