using System.Buffers.Binary;
using Skylark.Events.Contracts;

namespace Skylark.Events.State.Wire;

/// <summary>
/// Reads a bundle stream (<see cref="BundleWireFormat"/>, format version 1 or 2) and checks every length before trusting
/// it: against the end of the stream (truncation), against <see cref="BundleWireLimits"/> (before allocating), and
/// against the declared entry count and trailer (completeness). <see cref="ReadAllAsync(CancellationToken)"/> returns
/// nothing unless the whole stream is valid. Read entry by entry (<see cref="ReadHeaderAsync"/>,
/// <see cref="ReadEntryAsync"/>, <see cref="ReadTrailerAsync"/>), each entry is complete and checked when it is returned
/// (a found entry's last item, a streamed entry's commit), so a receiver can use it before the rest arrives; a stream
/// broken later fails only the entries not returned yet.
/// </summary>
public sealed class BundleWireReader
{
    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private readonly Stream _stream;
    private readonly BundleWireLimits _limits;
    private readonly byte[] _small = new byte[Math.Max(BundleWireFormat.MaxItemNameBytes, BundleWireFormat.MaxAbortReasonBytes)];
    private long _position;
    private int _count = -1;

    public BundleWireReader(Stream stream, BundleWireLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        _stream = stream;
        _limits = limits;
    }

    /// <summary>The stream's format version, once its header has been read.</summary>
    public byte FormatVersion { get; private set; }

    /// <exception cref="BundleWireFormatException">The stream is truncated, corrupt, over a limit, or followed by more bytes.</exception>
    public Task<IReadOnlyList<BundleWireEntry>> ReadAllAsync(CancellationToken cancellationToken = default) => ReadAllAsync(null, cancellationToken);

    /// <summary>
    /// Reads the whole stream. The items of streamed entries go to <paramref name="receiver"/> as they arrive, or, when
    /// it is null, are assembled in memory (within the limits) and returned with the entry's bundle.
    /// </summary>
    /// <exception cref="BundleWireFormatException">The stream is truncated, corrupt, over a limit, or followed by more bytes.</exception>
    public async Task<IReadOnlyList<BundleWireEntry>> ReadAllAsync(IStreamedBundleReceiver? receiver, CancellationToken cancellationToken = default)
    {
        var count = await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<BundleWireEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(await ReadEntryAsync(i, receiver, cancellationToken).ConfigureAwait(false));
        }

        await ReadTrailerAsync(cancellationToken).ConfigureAwait(false);
        return entries;
    }

    /// <summary>Reads and checks the header.</summary>
    /// <returns>How many entries the stream declares.</returns>
    public async Task<int> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        await ReadExactlyAsync(BundleWireFormat.HeaderLength, "the header", cancellationToken).ConfigureAwait(false);
        if (!_small.AsSpan(0, 4).SequenceEqual(BundleWireFormat.HeaderMagic))
        {
            throw new BundleWireFormatException($"it does not start with 'SKYB' (is it really {BundleWireFormat.MediaType}?).");
        }

        if (_small[4] is not (BundleWireFormat.FormatVersion or BundleWireFormat.StreamingFormatVersion))
        {
            throw new BundleWireFormatException(
                $"format version {_small[4]} is not supported; this reader knows versions {BundleWireFormat.FormatVersion} and {BundleWireFormat.StreamingFormatVersion}.");
        }

        FormatVersion = _small[4];
        var count = BinaryPrimitives.ReadUInt16LittleEndian(_small.AsSpan(6));
        if (count > _limits.MaxEntries)
        {
            throw new BundleWireFormatException($"it declares {count} entries; at most {_limits.MaxEntries} are accepted.");
        }

        _count = count;
        return count;
    }

    /// <summary>Reads entry <paramref name="index"/> (the next one) to its end; see <see cref="ReadAllAsync(IStreamedBundleReceiver?, CancellationToken)"/> for <paramref name="receiver"/>.</summary>
    /// <exception cref="BundleWireFormatException">The entry is truncated, corrupt or over a limit (a streamed entry's target was disposed uncommitted).</exception>
    public async Task<BundleWireEntry> ReadEntryAsync(int index, IStreamedBundleReceiver? receiver, CancellationToken cancellationToken = default)
    {
        if (_count < 0)
        {
            throw new InvalidOperationException("Read the header first.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
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
            case BundleWireStatus.Streamed when FormatVersion >= BundleWireFormat.StreamingFormatVersion:
                return await ReadStreamedAsync(index, stateRef, where, receiver, cancellationToken).ConfigureAwait(false);
            default:
                throw new BundleWireFormatException($"{where}: unknown status {status} in a format version {FormatVersion} stream.");
        }
    }

    /// <summary>Reads the trailer after the last entry and checks that nothing follows it.</summary>
    /// <exception cref="BundleWireFormatException">The trailer is missing or corrupt, or bytes follow it.</exception>
    public async Task ReadTrailerAsync(CancellationToken cancellationToken = default)
    {
        await ReadExactlyAsync(BundleWireFormat.TrailerLength, "the trailer", cancellationToken).ConfigureAwait(false);
        if (!_small.AsSpan(0, BundleWireFormat.TrailerLength).SequenceEqual(BundleWireFormat.TrailerMagic))
        {
            throw new BundleWireFormatException($"the trailer after {_count} entries is not 'SKYE' (more entries than declared, or corrupt).");
        }

        if (await _stream.ReadAsync(_small.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new BundleWireFormatException($"bytes follow the trailer at offset {_position}.");
        }
    }

    /// <summary>
    /// A streamed entry: items to the target until the end part; the commit is checked against what arrived before the
    /// target is told. Whatever goes wrong before that, the target is disposed uncommitted.
    /// </summary>
    private async Task<BundleWireEntry> ReadStreamedAsync(
        int index, StateRef stateRef, string where, IStreamedBundleReceiver? receiver, CancellationToken cancellationToken)
    {
        var target = receiver is null
            ? new MemoryTarget()
            : await receiver.BeginAsync(index, stateRef, cancellationToken).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            long size = 0;
            while (true)
            {
                await ReadExactlyAsync(1, $"{where}'s next part", cancellationToken).ConfigureAwait(false);
                switch (_small[0])
                {
                    case BundleWireFormat.ItemPart:
                        var (name, value, itemSize) = await ReadItemAsync($"{where} item {names.Count}", where, size, cancellationToken).ConfigureAwait(false);
                        if (!names.Add(name))
                        {
                            throw new BundleWireFormatException($"{where}: item '{name}' appears twice.");
                        }

                        size += itemSize;
                        await target.AppendAsync(name, value, cancellationToken).ConfigureAwait(false);
                        break;
                    case BundleWireFormat.CommitPart:
                        var version = await ReadVersionAsync(where, cancellationToken).ConfigureAwait(false);
                        await ReadExactlyAsync(20, $"{where}'s commit", cancellationToken).ConfigureAwait(false);
                        var updatedAt = ToTime(BinaryPrimitives.ReadInt64LittleEndian(_small), where);
                        var count = BinaryPrimitives.ReadUInt32LittleEndian(_small.AsSpan(8));
                        var declared = BinaryPrimitives.ReadUInt64LittleEndian(_small.AsSpan(12));
                        if (count != names.Count || declared != (ulong)size)
                        {
                            throw new BundleWireFormatException(
                                $"{where}: the commit counts {count} items of {declared} bytes, but {names.Count} items of {size} bytes arrived.");
                        }

                        await target.CommitAsync(version, updatedAt, cancellationToken).ConfigureAwait(false);
                        return BundleWireEntry.Streamed(stateRef, version, updatedAt, names.Count, size, (target as MemoryTarget)?.Bundle(stateRef, version, updatedAt));
                    case BundleWireFormat.AbortPart:
                        await ReadExactlyAsync(2, $"{where}'s abort", cancellationToken).ConfigureAwait(false);
                        var length = BinaryPrimitives.ReadUInt16LittleEndian(_small);
                        if (length > BundleWireFormat.MaxAbortReasonBytes)
                        {
                            throw new BundleWireFormatException($"{where}: its abort reason is {length} bytes; at most {BundleWireFormat.MaxAbortReasonBytes} are accepted.");
                        }

                        await ReadExactlyAsync(length, $"{where}'s abort reason", cancellationToken).ConfigureAwait(false);
                        var reason = Decode(_small.AsSpan(0, length), $"{where}'s abort reason");
                        return BundleWireEntry.StreamAborted(stateRef, reason.Length > 0 ? reason : "(no reason given)");
                    default:
                        throw new BundleWireFormatException($"{where}: unknown part {_small[0]} after {names.Count} items.");
                }
            }
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
        var updatedAt = ToTime(BinaryPrimitives.ReadInt64LittleEndian(_small), where);
        var itemCount = BinaryPrimitives.ReadUInt32LittleEndian(_small.AsSpan(8));

        // Every item has a name of at least one byte, so a count above the byte limit cannot be honest.
        if (itemCount > _limits.MaxBundleBytes)
        {
            throw new BundleWireFormatException($"{where}: {itemCount} items cannot fit in {_limits.MaxBundleBytes} bytes.");
        }

        var items = new Dictionary<string, ReadOnlyMemory<byte>>((int)Math.Min(itemCount, 256), StringComparer.Ordinal);
        long size = 0;
        for (var i = 0L; i < itemCount; i++)
        {
            var (name, value, itemSize) = await ReadItemAsync($"{where} item {i}", where, size, cancellationToken).ConfigureAwait(false);
            size += itemSize;
            if (!items.TryAdd(name, value))
            {
                throw new BundleWireFormatException($"{where}: item '{name}' appears twice.");
            }
        }

        return new Bundle(stateRef, version, updatedAt, BundleItems.Adopt(items));
    }

    /// <summary>One item, its name checked and its size (name bytes plus value) checked against the limit with <paramref name="sizeBefore"/>.</summary>
    private async Task<(string Name, byte[] Value, long Size)> ReadItemAsync(string itemWhere, string where, long sizeBefore, CancellationToken cancellationToken)
    {
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
        var size = sizeBefore + nameLength + (long)valueLength;
        if (size > _limits.MaxBundleBytes)
        {
            throw new BundleWireFormatException($"{where} is over {_limits.MaxBundleBytes} bytes (item '{name}' brings it to {size}).");
        }

        var value = new byte[valueLength];
        await ReadExactlyAsync(value, $"{itemWhere} ('{name}') value of {valueLength} bytes", cancellationToken).ConfigureAwait(false);
        return (name, value, nameLength + (long)valueLength);
    }

    private static DateTimeOffset ToTime(long unixMilliseconds, string where) =>
        unixMilliseconds is < MinUnixMilliseconds or > MaxUnixMilliseconds
            ? throw new BundleWireFormatException($"{where}: updated-at {unixMilliseconds} ms is not a valid time.")
            : DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

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

    /// <summary>Assembles a streamed entry in memory when the caller gave no receiver.</summary>
    private sealed class MemoryTarget : IStreamedBundleTarget
    {
        private readonly Dictionary<string, ReadOnlyMemory<byte>> _items = new(StringComparer.Ordinal);

        public ValueTask AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            _items.Add(name, value);
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Bundle Bundle(StateRef stateRef, long version, DateTimeOffset updatedAt) => new(stateRef, version, updatedAt, BundleItems.Adopt(_items));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
