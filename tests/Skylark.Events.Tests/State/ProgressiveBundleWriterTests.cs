using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.StateSink;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

/// <summary>Bundles written item by item (<see cref="ProgressiveBundleWriter"/>, <see cref="StagedBundleCopy"/>) against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class ProgressiveBundleWriterTests(RedisServer redis) : IAsyncLifetime
{
    private const string Node = "sat-1";
    private readonly string _prefix = RedisServer.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private static StateRef Ref(string bundle = "detect.result") => new(Node, "wf-1", bundle);

    private BundleStore Store(Action<StateOptions>? configure = null)
    {
        var options = redis.StateOptions(Node, _prefix);
        configure?.Invoke(options);
        return new BundleStore(_connection, options);
    }

    private static byte[] Bytes(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed))];

    /// <summary>Every key under this test's prefix (bundles, stagings, anything).</summary>
    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var key in _connection.GetServer(_connection.GetEndPoints()[0]).KeysAsync(pattern: _prefix + ":*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    [Fact]
    public async Task Items_appended_are_invisible_until_the_commit_makes_them_the_next_version_at_once()
    {
        var store = Store();
        await store.WriteAsync(Ref(), BundleItems.CreateBuilder().Add("old", "v1").Build());
        await using var writer = store.BeginWrite(Ref());

        await writer.AppendAsync("tile-0", Bytes(5_000, 1));
        await writer.AppendAsync("tile-1", Bytes(7, 2));

        var during = await store.ReadAsync(Ref());
        Assert.Equal((1L, "v1"), (during!.Version, during.Items.GetString("old")));
        Assert.Equal(1, (await store.GetInfoAsync(Ref()))!.Version);
        Assert.Equal([Ref()], (await SinkCluster.ListAsync(store)).Select(b => b.StateRef));

        var committed = await writer.CommitAsync();

        var read = await store.ReadAsync(Ref());
        Assert.NotNull(read);
        Assert.Equal((2L, 2), (read.Version, committed.Version));
        Assert.Equal(["tile-0", "tile-1"], read.Items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes(5_000, 1), read.Items["tile-0"].ToArray());
        Assert.Equal(Bytes(7, 2), read.Items["tile-1"].ToArray());
        Assert.Equal((committed.SizeBytes, committed.UpdatedAt), (read.SizeBytes, read.UpdatedAt));
        Assert.Equal(5_000 + 7 + 12, committed.SizeBytes);
        Assert.Equal(committed.SizeBytes, (await store.GetInfoAsync(Ref()))!.SizeBytes);
        Assert.True(writer.IsCommitted);
        Assert.DoesNotContain(await KeysAsync(), k => k.StartsWith($"{_prefix}:p:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_first_version_does_not_exist_for_readers_before_its_commit()
    {
        var store = Store();
        await using var writer = store.BeginWrite(Ref());
        await writer.AppendAsync("tile-0", Bytes(100, 3));

        Assert.Null(await store.ReadAsync(Ref()));
        Assert.Null(await store.GetVersionAsync(Ref()));
        Assert.Empty(await SinkCluster.ListAsync(store));

        Assert.Equal(1, (await writer.CommitAsync()).Version);
        Assert.Equal(Bytes(100, 3), (await store.ReadAsync(Ref()))!.Items["tile-0"].ToArray());
    }

    [Fact]
    public async Task The_staged_items_read_back_in_append_order_from_any_index_and_from_the_bundle_once_committed()
    {
        var store = Store();
        await using var writer = store.BeginWrite(Ref());
        foreach (var name in new[] { "z", "a", "m" })
        {
            await writer.AppendAsync(name, Bytes(10, name[0]));
        }

        var staged = await store.ReadStagedAsync(Ref(), writeId: null, fromItem: 1, maxBytes: 1 << 20);
        var first = await store.ReadStagedAsync(Ref(), writer.WriteId, fromItem: 0, maxBytes: 1);
        var metadataOnly = await store.ReadStagedAsync(Ref(), writer.WriteId, fromItem: 0, maxBytes: 0);
        await writer.CommitAsync();
        var committed = await store.ReadStagedAsync(Ref(), writer.WriteId, fromItem: 2, maxBytes: 1 << 20);

        Assert.Equal((StagedBundleState.Staging, writer.WriteId, 3), (staged.State, staged.WriteId, staged.ItemCount));
        Assert.Equal(["a", "m"], staged.Items.Select(i => i.Key));
        Assert.Equal(Bytes(10, 'a'), staged.Items[0].Value.ToArray());
        Assert.Equal(["z"], first.Items.Select(i => i.Key));
        Assert.Empty(metadataOnly.Items);
        Assert.Equal((StagedBundleState.Committed, 3, 1L), (committed.State, committed.ItemCount, committed.Version));
        Assert.Equal(["m"], committed.Items.Select(i => i.Key));
        Assert.Equal((await store.ReadAsync(Ref()))!.SizeBytes, committed.SizeBytes);
        Assert.Equal(StagedBundleState.Gone, (await store.ReadStagedAsync(Ref(), writeId: null, 0, 0)).State);
    }

    [Fact]
    public async Task An_abandoned_write_leaves_nothing_and_announces_that_it_is_gone()
    {
        var store = Store();
        await store.WriteAsync(Ref(), BundleItems.CreateBuilder().Add("old", "v1").Build());
        var queue = await _connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(store.Keys.StagedChannel));
        try
        {
            var writer = store.BeginWrite(Ref());
            await writer.AppendAsync("tile-0", Bytes(100, 1));
            await writer.AppendAsync("tile-1", Bytes(100, 2));

            await writer.DisposeAsync();

            using var timeout = new CancellationTokenSource(SinkCluster.Bound);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(store.Keys.Key(Ref()), (string)(await queue.ReadAsync(timeout.Token)).Message!);
            }

            Assert.Equal(StagedBundleState.Gone, (await store.ReadStagedAsync(Ref(), writer.WriteId, 0, 0)).State);
            Assert.Equal([store.Keys.Key(Ref())], await KeysAsync());
            Assert.Equal((1L, "v1"), ((await store.ReadAsync(Ref()))!.Version, (await store.ReadAsync(Ref()))!.Items.GetString("old")));
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.AppendAsync("tile-2", Bytes(1, 1)));
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_staging_without_appends_for_its_time_to_live_expires_and_the_write_then_fails_with_the_reason()
    {
        var store = Store(o => o.StagingTimeToLive = TimeSpan.FromMilliseconds(200));
        await using var writer = store.BeginWrite(Ref());
        await writer.AppendAsync("tile-0", Bytes(100, 1));

        await Poll.UntilAsync(() => store.ReadStagedAsync(Ref(), writer.WriteId, 0, 0).Result.State == StagedBundleState.Gone, "the staging expired");
        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => writer.AppendAsync("tile-1", Bytes(100, 2)));

        Assert.Contains("StagingTimeToLive", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync());
        Assert.Null(await store.ReadAsync(Ref()));
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task When_a_second_write_of_the_bundle_begins_the_first_fails_and_only_the_second_commits()
    {
        var store = Store();
        await using var first = store.BeginWrite(Ref());
        await using var second = store.BeginWrite(Ref());
        await first.AppendAsync("tile-0", Bytes(10, 1));
        await second.AppendAsync("tile-0", Bytes(10, 2));

        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => first.AppendAsync("tile-1", Bytes(10, 3)));
        await second.AppendAsync("tile-1", Bytes(10, 4));
        await second.CommitAsync();

        Assert.Contains("another write", error.Message, StringComparison.Ordinal);
        var read = await store.ReadAsync(Ref());
        Assert.Equal(1L, read!.Version);
        Assert.Equal(Bytes(10, 2), read.Items["tile-0"].ToArray());
        Assert.Equal(Bytes(10, 4), read.Items["tile-1"].ToArray());
    }

    [Fact]
    public async Task Appends_are_checked_like_a_write_before_anything_is_staged()
    {
        var store = Store(o => o.MaxBundleBytes = 1_000);
        await using var writer = store.BeginWrite(Ref());
        await writer.AppendAsync("a", new byte[500]);

        await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync("a", new byte[1]));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync("_meta", new byte[1]));
        var tooLarge = await Assert.ThrowsAsync<BundleTooLargeException>(() => writer.AppendAsync("b", new byte[500]));
        Assert.Equal(1_002, tooLarge.SizeBytes);
        Assert.Throws<BundleScopeException>(() => store.ForFunction("alarm").BeginWrite(Ref("detect.result")));
        Assert.Throws<ArgumentException>(() => store.BeginWrite(new StateRef("sat-2", "wf-1", "detect.result")));
        Assert.Equal(1, (await store.ReadStagedAsync(Ref(), writer.WriteId, 0, 0)).ItemCount);
    }

    [Fact]
    public async Task A_write_with_no_items_commits_an_empty_bundle()
    {
        var store = Store();
        await using var writer = store.BeginWrite(Ref());

        var committed = await writer.CommitAsync();

        Assert.Equal((1L, 0L), (committed.Version, committed.SizeBytes));
        Assert.Empty((await store.ReadAsync(Ref()))!.Items);
    }

    [Fact]
    public async Task A_copy_received_item_by_item_keeps_the_source_version_and_leaves_nothing_when_not_committed()
    {
        var store = Store();
        var source = new StateRef("sat-2", "wf-1", "detect.result");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_777);

        await using (var copy = store.BeginCopy(source))
        {
            await copy.AppendAsync("tile-0", Bytes(64, 1));
            Assert.Null(await store.ReadAsync(source));
            Assert.Equal(PutCopyOutcome.Written, (await copy.CommitAsync(7, at)).Outcome);
        }

        await using (var again = store.BeginCopy(source))
        {
            await again.AppendAsync("tile-0", Bytes(64, 1));
            Assert.Equal(new PutCopyResult(PutCopyOutcome.SameVersionPresent, 7), await again.CommitAsync(7, at));
        }

        await using (var abandoned = store.BeginCopy(source))
        {
            await abandoned.AppendAsync("tile-0", Bytes(64, 9));
            Assert.Contains(await KeysAsync(), k => k.StartsWith($"{_prefix}:t:", StringComparison.Ordinal));
        }

        var read = await store.ReadAsync(source);
        Assert.Equal((7L, at), (read!.Version, read.UpdatedAt));
        Assert.Equal(Bytes(64, 1), read.Items["tile-0"].ToArray());
        Assert.Equal([store.Keys.Key(source)], await KeysAsync());
    }

    [Fact]
    public async Task A_watch_wakes_on_every_staged_item_while_a_wait_for_the_write_returns_only_at_the_commit()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store, recheckInterval: TimeSpan.FromMinutes(1));
        using var watch = await watcher.WatchAsync(Ref());
        var written = watcher.WaitForAsync(Ref(), SinkCluster.Bound, CancellationToken.None);
        await using var writer = store.BeginWrite(Ref());

        var armed = watch.Arm();
        await writer.AppendAsync("tile-0", Bytes(10, 1));
        await watch.WaitAsync(armed, SinkCluster.Bound, CancellationToken.None).WaitAsync(SinkCluster.Bound);

        Assert.True(armed.IsCompleted);
        Assert.False(written.IsCompleted);
        Assert.Equal(2, watcher.Count);
        var committed = await writer.CommitAsync();
        Assert.Equal(committed.Version, await written.WaitAsync(SinkCluster.Bound));
    }
}
