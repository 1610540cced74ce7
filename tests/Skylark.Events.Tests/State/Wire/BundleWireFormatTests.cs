using System.Text;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;

namespace Skylark.Events.Tests.State.Wire;

public sealed class BundleWireFormatTests
{
    private static readonly BundleWireLimits Limits = new(maxBundleBytes: 1024 * 1024);

    private static Bundle Bundle(string stateRef, long version, params (string Name, byte[] Value)[] items)
    {
        var builder = BundleItems.CreateBuilder();
        foreach (var (name, value) in items)
        {
            builder.Add(name, value);
        }

        return new Bundle(StateRef.Parse(stateRef), version, DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_123), builder.Build());
    }

    private static Bundle Sample() => Bundle(
        "sat-1/wf-7/detect.background",
        3,
        ("pixels", Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray()),
        ("meta", "{\"w\":64}"u8.ToArray()),
        ("ümlaut name", [1, 2, 3]));

    private static List<BundleWireEntry> Entries() =>
    [
        BundleWireEntry.Found(Sample()),
        BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf-7/missing")),
        BundleWireEntry.NotModified(StateRef.Parse("sat-1/wf-7/detect"), 12),
        BundleWireEntry.Found(Bundle("sat-1/wf-7/empty", 1)),
    ];

    private static async Task<byte[]> EncodeAsync(IReadOnlyList<BundleWireEntry> entries)
    {
        using var stream = new MemoryStream();
        await BundleWireFormat.WriteAsync(stream, entries);
        return stream.ToArray();
    }

    private static Task<IReadOnlyList<BundleWireEntry>> DecodeAsync(byte[] bytes, BundleWireLimits? limits = null) =>
        BundleWireFormat.ReadAsync(new MemoryStream(bytes, writable: false), limits ?? Limits);

    private static void AssertSameBundle(Bundle expected, Bundle? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.StateRef, actual.StateRef);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.UpdatedAt, actual.UpdatedAt);
        Assert.Equal(expected.SizeBytes, actual.SizeBytes);
        Assert.Equal(expected.Items.Keys.Order(), actual.Items.Keys.Order());
        foreach (var (name, value) in expected.Items)
        {
            Assert.True(value.Span.SequenceEqual(actual.Items[name].Span), $"item '{name}' differs");
        }
    }

    [Fact]
    public async Task Bundles_and_statuses_survive_a_round_trip_in_order()
    {
        var entries = Entries();

        var decoded = await DecodeAsync(await EncodeAsync(entries));

        Assert.Equal(entries.Select(e => (e.Status, e.StateRef, e.Version)), decoded.Select(e => (e.Status, e.StateRef, e.Version)));
        AssertSameBundle(entries[0].Bundle!, decoded[0].Bundle);
        AssertSameBundle(entries[3].Bundle!, decoded[3].Bundle);
        Assert.Null(decoded[1].Bundle);
        Assert.Null(decoded[2].Bundle);
    }

    [Fact]
    public async Task Measure_predicts_the_exact_encoded_length()
    {
        var entries = Entries();

        var bytes = await EncodeAsync(entries);

        Assert.Equal(bytes.Length, BundleWireFormat.Measure(entries));
        Assert.Equal(BundleWireFormat.HeaderLength + BundleWireFormat.TrailerLength, BundleWireFormat.Measure([]));
    }

    [Fact]
    public async Task The_stream_starts_with_the_magic_and_version_and_ends_with_the_trailer()
    {
        var bytes = await EncodeAsync(Entries());

        Assert.Equal("SKYB"u8.ToArray(), bytes[..4]);
        Assert.Equal(BundleWireFormat.FormatVersion, bytes[4]);
        Assert.Equal(4, BitConverter.ToUInt16(bytes, 6));
        Assert.Equal("SKYE"u8.ToArray(), bytes[^4..]);
    }

    [Fact]
    public async Task Every_truncation_of_a_stream_is_rejected()
    {
        var bytes = await EncodeAsync([BundleWireEntry.Found(Bundle("sat-1/wf/b", 2, ("a", [1, 2, 3]), ("bb", [4]))), BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/c"))]);

        for (var length = 0; length < bytes.Length; length++)
        {
            var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes[..length]));
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, (await DecodeAsync(bytes)).Count);
    }

    [Fact]
    public async Task A_stream_arriving_one_byte_at_a_time_is_read_completely()
    {
        var entries = Entries();
        var bytes = await EncodeAsync(entries);

        var decoded = await BundleWireFormat.ReadAsync(new TrickleStream(bytes), Limits);

        AssertSameBundle(entries[0].Bundle!, decoded[0].Bundle);
        Assert.Equal(entries.Count, decoded.Count);
    }

    [Fact]
    public async Task Bytes_after_the_trailer_are_rejected()
    {
        var bytes = await EncodeAsync(Entries());

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync([.. bytes, 0]));

        Assert.Contains("follow the trailer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_with_fewer_entries_than_declared_is_rejected()
    {
        var bytes = await EncodeAsync([BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/c"))]);
        bytes[6] = 2;

        await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));
    }

    [Fact]
    public async Task A_stream_with_more_entries_than_declared_is_rejected()
    {
        var bytes = await EncodeAsync([BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/c")), BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/d"))]);
        bytes[6] = 1;

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains("trailer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Something_that_is_not_a_bundle_stream_is_rejected_by_its_magic()
    {
        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync("{\"json\": true}"u8.ToArray()));

        Assert.Contains("SKYB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_version_is_rejected()
    {
        var bytes = await EncodeAsync([]);
        bytes[4] = 9;

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_over_the_receivers_limit_is_rejected()
    {
        var bytes = await EncodeAsync([BundleWireEntry.Found(Bundle("sat-1/wf/big", 1, ("a", new byte[600]), ("b", new byte[600])))]);

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes, new BundleWireLimits(1000)));

        Assert.Contains("over 1000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_value_length_is_rejected_before_anything_is_allocated()
    {
        var bytes = new RawStream()
            .Header(1)
            .Entry(BundleWireStatus.Found, "sat-1/wf/b").Int64(1).Int64(0).UInt32(1)
            .Name("a").UInt32(uint.MaxValue)
            .ToArray();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains("over", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_declaring_more_entries_than_the_receiver_accepts_is_rejected()
    {
        var bytes = await EncodeAsync([BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/c")), BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/d"))]);

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes, new BundleWireLimits(1000, maxEntries: 1)));

        Assert.Contains("2 entries", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_reserved", "reserved")]
    [InlineData("", "empty")]
    public async Task An_invalid_item_name_is_rejected(string name, string expected)
    {
        var bytes = new RawStream()
            .Header(1)
            .Entry(BundleWireStatus.Found, "sat-1/wf/b").Int64(1).Int64(0).UInt32(1)
            .Name(name).UInt32(1).Bytes([7])
            .Trailer()
            .ToArray();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_item_appearing_twice_is_rejected()
    {
        var bytes = new RawStream()
            .Header(1)
            .Entry(BundleWireStatus.Found, "sat-1/wf/b").Int64(1).Int64(0).UInt32(2)
            .Name("a").UInt32(1).Bytes([1])
            .Name("a").UInt32(1).Bytes([2])
            .Trailer()
            .ToArray();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sat-1/wf", "segment")]
    [InlineData("sat-1/wf/.hidden", "bundle segment")]
    public async Task A_malformed_state_ref_is_rejected(string stateRef, string expected)
    {
        var bytes = new RawStream().Header(1).Entry(BundleWireStatus.NotFound, stateRef).Trailer().ToArray();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_zero_and_unknown_statuses_are_rejected()
    {
        var versionZero = new RawStream().Header(1).Entry(BundleWireStatus.NotModified, "sat-1/wf/b").Int64(0).Trailer().ToArray();
        var unknownStatus = new RawStream().Header(1).Entry((BundleWireStatus)9, "sat-1/wf/b").Trailer().ToArray();

        Assert.Contains("below 1", (await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(versionZero))).Message, StringComparison.Ordinal);
        Assert.Contains("unknown status 9", (await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(unknownStatus))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_refuses_to_complete_a_stream_with_missing_entries()
    {
        using var stream = new MemoryStream();
        await using var writer = new BundleWireWriter(stream, 2);
        await writer.WriteAsync(BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/b")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
    }

    private static readonly (string Name, byte[] Value)[] Tiles =
    [
        ("tile-0", Enumerable.Range(0, 6_000).Select(i => (byte)i).ToArray()),
        ("tile-1", "{\"boxes\":[]}"u8.ToArray()),
        ("tile-2", [9, 8, 7]),
    ];

    private static readonly DateTimeOffset CommittedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_001_456);

    /// <summary>A version 2 stream: found, streamed and committed, not found, streamed and aborted.</summary>
    private static async Task<byte[]> EncodeStreamedAsync()
    {
        using var stream = new MemoryStream();
        await using var writer = new BundleWireWriter(stream, 4, BundleWireFormat.StreamingFormatVersion);
        await writer.WriteAsync(BundleWireEntry.Found(Sample()));
        await writer.BeginStreamedAsync(StateRef.Parse("sat-1/wf-7/detect.result"));
        foreach (var (name, value) in Tiles)
        {
            await writer.WriteStreamedItemAsync(name, value);
        }

        await writer.CommitStreamedAsync(5, CommittedAt);
        await writer.WriteAsync(BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf-7/missing")));
        await writer.BeginStreamedAsync(StateRef.Parse("sat-1/wf-7/abandoned"));
        await writer.WriteStreamedItemAsync("tile-0", new byte[10]);
        await writer.AbortStreamedAsync("its producer abandoned the write");
        await writer.CompleteAsync();
        return stream.ToArray();
    }

    [Fact]
    public async Task A_version_2_stream_carries_streamed_entries_that_end_with_a_commit_or_an_abort()
    {
        var bytes = await EncodeStreamedAsync();

        var decoded = await DecodeAsync(bytes);

        Assert.Equal(BundleWireFormat.StreamingFormatVersion, bytes[4]);
        Assert.Equal(
            [BundleWireStatus.Found, BundleWireStatus.Streamed, BundleWireStatus.NotFound, BundleWireStatus.Streamed],
            decoded.Select(e => e.Status));
        AssertSameBundle(Sample(), decoded[0].Bundle);
        var streamed = decoded[1];
        Assert.True(streamed.IsCommittedStream);
        var expected = Bundle("sat-1/wf-7/detect.result", 5, Tiles);
        AssertSameBundle(new Bundle(expected.StateRef, 5, CommittedAt, expected.Items), streamed.Bundle);
        Assert.Equal((5L, CommittedAt, 3, Tiles.Sum(t => t.Name.Length + t.Value.Length)), (streamed.Version, streamed.UpdatedAt!.Value, streamed.ItemCount, (int)streamed.SizeBytes));
        Assert.False(decoded[3].IsCommittedStream);
        Assert.Equal("its producer abandoned the write", decoded[3].AbortReason);
        Assert.Null(decoded[3].Bundle);
    }

    [Fact]
    public async Task A_receiver_gets_each_streamed_item_as_it_arrives_and_the_commit_only_after_the_last()
    {
        var receiver = new RecordingReceiver();

        var entries = await new BundleWireReader(new TrickleStream(await EncodeStreamedAsync()), Limits).ReadAllAsync(receiver);

        Assert.Equal(
            [
                "begin 1 sat-1/wf-7/detect.result", "item tile-0 6000", "item tile-1 12", "item tile-2 3", "commit v5", "dispose",
                "begin 3 sat-1/wf-7/abandoned", "item tile-0 10", "dispose",
            ],
            receiver.Events);
        Assert.Null(entries[1].Bundle);
        Assert.True(entries[1].IsCommittedStream);
        Assert.Equal(5, entries[1].Version);
    }

    [Fact]
    public async Task Every_truncation_of_a_version_2_stream_is_rejected_and_no_cut_streamed_entry_is_committed()
    {
        var bytes = await EncodeStreamedAsync();

        for (var length = 0; length < bytes.Length; length++)
        {
            var receiver = new RecordingReceiver();
            var error = await Assert.ThrowsAsync<BundleWireFormatException>(
                () => new BundleWireReader(new MemoryStream(bytes[..length], writable: false), Limits).ReadAllAsync(receiver));
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);

            // A streamed entry is committed only with all of its items; one cut short is disposed uncommitted.
            Assert.All(receiver.Targets, t => Assert.True(!t.Committed || t.Items == Tiles.Length, $"cut at {length}: committed with {t.Items} items"));
            Assert.All(receiver.Targets, t => Assert.True(t.Disposed, $"cut at {length}: a target was left open"));
        }
    }

    [Theory]
    [InlineData(2u, 4uL, "the commit counts 2 items of 4 bytes, but 1 items of 2 bytes arrived")]
    [InlineData(1u, 9uL, "the commit counts 1 items of 9 bytes")]
    public async Task A_commit_that_does_not_count_what_arrived_is_rejected_and_nothing_is_committed(uint items, ulong size, string expected)
    {
        var bytes = new RawStream()
            .Header(1, BundleWireFormat.StreamingFormatVersion)
            .Entry(BundleWireStatus.Streamed, "sat-1/wf/b")
            .Byte(1).Name("a").UInt32(1).Bytes([7])
            .Byte(2).Int64(3).Int64(0).UInt32(items).Int64((long)size)
            .Trailer()
            .ToArray();
        var receiver = new RecordingReceiver();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => new BundleWireReader(new MemoryStream(bytes), Limits).ReadAllAsync(receiver));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Assert.Single(receiver.Targets).Committed);
    }

    [Fact]
    public async Task A_streamed_item_appearing_twice_or_an_unknown_part_is_rejected()
    {
        var twice = new RawStream()
            .Header(1, BundleWireFormat.StreamingFormatVersion)
            .Entry(BundleWireStatus.Streamed, "sat-1/wf/b")
            .Byte(1).Name("a").UInt32(1).Bytes([7])
            .Byte(1).Name("a").UInt32(1).Bytes([8])
            .ToArray();
        var unknown = new RawStream()
            .Header(1, BundleWireFormat.StreamingFormatVersion)
            .Entry(BundleWireStatus.Streamed, "sat-1/wf/b")
            .Byte(7)
            .ToArray();

        Assert.Contains("appears twice", (await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(twice))).Message, StringComparison.Ordinal);
        Assert.Contains("unknown part 7", (await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(unknown))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_items_count_against_the_receivers_limit()
    {
        using var stream = new MemoryStream();
        await using (var writer = new BundleWireWriter(stream, 1, BundleWireFormat.StreamingFormatVersion))
        {
            await writer.BeginStreamedAsync(StateRef.Parse("sat-1/wf/big"));
            await writer.WriteStreamedItemAsync("a", new byte[600]);
            await writer.WriteStreamedItemAsync("b", new byte[600]);
            await writer.CommitStreamedAsync(1, CommittedAt);
            await writer.CompleteAsync();
        }

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(stream.ToArray(), new BundleWireLimits(1000)));

        Assert.Contains("over 1000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_entry_in_a_version_1_stream_is_an_unknown_status()
    {
        var bytes = new RawStream().Header(1).Entry(BundleWireStatus.Streamed, "sat-1/wf/b").Byte(2).ToArray();

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => DecodeAsync(bytes));

        Assert.Contains("unknown status 4 in a format version 1 stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_streams_only_in_version_2_and_only_one_entry_at_a_time()
    {
        using var stream = new MemoryStream();
        await using var version1 = new BundleWireWriter(stream, 1);
        await using var version2 = new BundleWireWriter(new MemoryStream(), 2, BundleWireFormat.StreamingFormatVersion);

        await Assert.ThrowsAsync<InvalidOperationException>(() => version1.BeginStreamedAsync(StateRef.Parse("sat-1/wf/b")).AsTask());
        await version2.BeginStreamedAsync(StateRef.Parse("sat-1/wf/b"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => version2.WriteAsync(BundleWireEntry.NotFound(StateRef.Parse("sat-1/wf/c"))).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => version2.CompleteAsync().AsTask());
    }

    [Fact]
    public async Task A_long_abort_reason_is_cut_on_a_character_boundary()
    {
        using var stream = new MemoryStream();
        await using (var writer = new BundleWireWriter(stream, 1, BundleWireFormat.StreamingFormatVersion))
        {
            await writer.BeginStreamedAsync(StateRef.Parse("sat-1/wf/b"));
            await writer.AbortStreamedAsync("x" + new string('ü', 2000));
            await writer.CompleteAsync();
        }

        var reason = Assert.Single(await DecodeAsync(stream.ToArray())).AbortReason!;

        Assert.True(Encoding.UTF8.GetByteCount(reason) <= BundleWireFormat.MaxAbortReasonBytes);
        Assert.Equal("x" + new string('ü', (BundleWireFormat.MaxAbortReasonBytes - 1) / 2), reason);
    }

    /// <summary>Records what a reader hands a receiver, in order.</summary>
    private sealed class RecordingReceiver : IStreamedBundleReceiver
    {
        public List<string> Events { get; } = [];

        public List<Target> Targets { get; } = [];

        public ValueTask<IStreamedBundleTarget> BeginAsync(int index, StateRef stateRef, CancellationToken cancellationToken)
        {
            Events.Add($"begin {index} {stateRef}");
            var target = new Target(Events);
            Targets.Add(target);
            return ValueTask.FromResult<IStreamedBundleTarget>(target);
        }

        public sealed class Target(List<string> events) : IStreamedBundleTarget
        {
            public int Items { get; private set; }

            public bool Committed { get; private set; }

            public bool Disposed { get; private set; }

            public ValueTask AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
            {
                events.Add($"item {name} {value.Length}");
                Items++;
                return ValueTask.CompletedTask;
            }

            public ValueTask CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken)
            {
                events.Add($"commit v{version}");
                Committed = true;
                return ValueTask.CompletedTask;
            }

            public ValueTask DisposeAsync()
            {
                events.Add("dispose");
                Disposed = true;
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Hand-built streams, for inputs the writer would never produce.</summary>
    private sealed class RawStream
    {
        private readonly MemoryStream _stream = new();
        private readonly BinaryWriter _writer;

        public RawStream() => _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);

        public RawStream Header(ushort count, byte version = BundleWireFormat.FormatVersion)
        {
            _writer.Write("SKYB"u8);
            _writer.Write(version);
            _writer.Write((byte)0);
            _writer.Write(count);
            return this;
        }

        public RawStream Entry(BundleWireStatus status, string stateRef)
        {
            _writer.Write((byte)status);
            return Name(stateRef);
        }

        public RawStream Name(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            _writer.Write((ushort)bytes.Length);
            _writer.Write(bytes);
            return this;
        }

        public RawStream Int64(long value)
        {
            _writer.Write(value);
            return this;
        }

        public RawStream UInt32(uint value)
        {
            _writer.Write(value);
            return this;
        }

        public RawStream Byte(byte value)
        {
            _writer.Write(value);
            return this;
        }

        public RawStream Bytes(byte[] value)
        {
            _writer.Write(value);
            return this;
        }

        public RawStream Trailer()
        {
            _writer.Write("SKYE"u8);
            return this;
        }

        public byte[] ToArray()
        {
            _writer.Flush();
            return _stream.ToArray();
        }
    }

    /// <summary>Hands out one byte per read, like a slow network connection.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= bytes.Length || buffer.IsEmpty)
            {
                return 0;
            }

            buffer[0] = bytes[_position++];
            return 1;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
