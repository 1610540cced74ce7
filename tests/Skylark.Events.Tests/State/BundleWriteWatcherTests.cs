using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

/// <summary>Write announcements and <see cref="BundleWriteWatcher"/> against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class BundleWriteWatcherTests(RedisServer redis) : IAsyncLifetime
{
    private const string Node = "sat-1";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _prefix = RedisServer.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private BundleStore Store() => new(_connection, redis.StateOptions(Node, _prefix));

    private static BundleItems Items(string value) => BundleItems.CreateBuilder().Add("value", value).Build();

    [Fact]
    public async Task A_write_and_a_copy_announce_the_bundle_key_on_the_written_channel()
    {
        var store = Store();
        var stateRef = new StateRef(Node, "wf", "preprocess");
        Assert.Equal($"{_prefix}:written", store.Keys.WrittenChannel);
        var queue = await _connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(store.Keys.WrittenChannel));
        try
        {
            var written = await store.WriteAsync(stateRef, Items("frame"));
            var copy = new Bundle(new StateRef("sat-2", "wf", "copied"), 3, DateTimeOffset.UnixEpoch, Items("c"));
            await store.PutCopyAsync(copy);
            await store.PutCopyAsync(copy);
            await store.WriteAsync(stateRef, Items("frame 2"));

            using var timeout = new CancellationTokenSource(Bound);
            var messages = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                messages.Add((string)(await queue.ReadAsync(timeout.Token)).Message!);
            }

            // The copy already held is not written again, so it is not announced again.
            Assert.Equal([store.Keys.Key(stateRef), store.Keys.Key(copy.StateRef), store.Keys.Key(stateRef)], messages);
            Assert.False(queue.TryRead(out _));
            Assert.Equal(1, written.Version);
            Assert.Equal("frame 2", (await store.ReadAsync(stateRef))!.Items.GetString("value"));
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_wait_returns_the_version_once_the_bundle_is_written_later()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store, recheckInterval: TimeSpan.FromMinutes(5));
        var stateRef = new StateRef(Node, "wf", "detect");

        var wait = watcher.WaitForAsync(stateRef, Bound, CancellationToken.None);
        await Poll.UntilAsync(() => watcher.Count == 1, "the wait is registered");
        Assert.False(wait.IsCompleted);
        await store.WriteAsync(stateRef, Items("out"));

        // The re-check interval is far longer than the bound: only the announcement can have woken the wait.
        Assert.Equal(1L, await wait.WaitAsync(Bound));
        Assert.Equal(0, watcher.Count);
    }

    [Fact]
    public async Task A_wait_for_a_bundle_held_already_returns_at_once_whatever_node_the_ref_names()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store);
        var stateRef = new StateRef(Node, "wf", "preprocess");
        await store.WriteAsync(stateRef, Items("a"));
        await store.WriteAsync(stateRef, Items("b"));

        Assert.Equal(2L, await watcher.WaitForAsync(stateRef.On("edge-1"), TimeSpan.FromMinutes(5), CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(2L, await watcher.WaitForAsync(stateRef, TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_wait_for_a_bundle_never_written_returns_null_when_the_wait_elapses()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store, recheckInterval: TimeSpan.FromMilliseconds(20));

        var version = await watcher.WaitForAsync(new StateRef(Node, "wf", "never"), TimeSpan.FromMilliseconds(100), CancellationToken.None).WaitAsync(Bound);

        Assert.Null(version);
        Assert.Equal(0, watcher.Count);
    }

    [Fact]
    public async Task A_missed_announcement_is_made_up_for_by_the_re_check()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store, recheckInterval: TimeSpan.FromMilliseconds(20));
        var stateRef = new StateRef(Node, "wf", "silent");

        var wait = watcher.WaitForAsync(stateRef, Bound, CancellationToken.None);
        await Poll.UntilAsync(() => watcher.Count == 1, "the wait is registered");

        // Written behind the script's back: no announcement, as when a message is lost on a reconnect.
        await _connection.GetDatabase().HashSetAsync(store.Keys.Key(stateRef), [new HashEntry(BundleKeys.VersionField, "7")]);

        Assert.Equal(7L, await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Waits_beyond_the_bound_are_refused_with_a_clear_error_and_cancelled_waits_leave()
    {
        var store = Store();
        using var watcher = new BundleWriteWatcher(_connection, store, maxWaiters: 1);
        using var cancel = new CancellationTokenSource();
        var first = watcher.WaitForAsync(new StateRef(Node, "wf", "a"), Bound, cancel.Token);
        await Poll.UntilAsync(() => watcher.Count == 1, "the first wait is registered");

        var refused = await Assert.ThrowsAsync<StateUnavailableException>(() => watcher.WaitForAsync(new StateRef(Node, "wf", "b"), Bound, CancellationToken.None));
        Assert.Contains("MaxWriteWaiters", refused.Message, StringComparison.Ordinal);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound));
        Assert.Equal(0, watcher.Count);
    }
}
