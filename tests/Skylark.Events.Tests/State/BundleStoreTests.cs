using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

[Collection(RedisCollection.Name)]
public sealed class BundleStoreTests(RedisServer redis) : IAsyncLifetime
{
    private const string Node = "edge-1";
    private readonly string _prefix = RedisServer.NewKeyPrefix();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private static StateRef Ref(string bundle, string workflow = "wf-1") => new(Node, workflow, bundle);

    private BundleStore Store(Action<StateOptions>? configure = null, TimeProvider? time = null)
    {
        var options = redis.StateOptions(Node, _prefix);
        configure?.Invoke(options);
        return new BundleStore(_connection, options, time);
    }

    private static BundleItems Items(params (string Name, string Value)[] items)
    {
        var builder = BundleItems.CreateBuilder();
        foreach (var (name, value) in items)
        {
            builder.Add(name, value);
        }

        return builder.Build();
    }

    [Fact]
    public async Task A_written_bundle_reads_back_with_its_items_version_and_time()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-05-01T10:00:00.1234567Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = Store(time: time);

        var written = await store.WriteAsync(Ref("detect.background"), Items(("model", "m1"), ("frames", "12")));
        var read = await store.ReadAsync(Ref("detect.background"));

        Assert.NotNull(read);
        Assert.Equal(Ref("detect.background"), read.StateRef);
        Assert.Equal(1, written.Version);
        Assert.Equal(1, read.Version);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T10:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture), read.UpdatedAt);
        Assert.Equal(written.UpdatedAt, read.UpdatedAt);
        Assert.Equal(["frames", "model"], read.Items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("m1", read.Items.GetString("model"));
        Assert.Equal(written.SizeBytes, read.SizeBytes);
    }

    [Fact]
    public async Task Each_write_increments_the_version_and_replaces_all_items()
    {
        var store = Store();

        await store.WriteAsync(Ref("b"), Items(("a", "1"), ("old", "x")));
        await store.WriteAsync(Ref("b"), Items(("a", "2")));
        var third = await store.WriteAsync(Ref("b"), Items(("a", "3")));

        var read = await store.ReadAsync(Ref("b"));
        Assert.Equal(3, third.Version);
        Assert.Equal(3, await store.GetVersionAsync(Ref("b")));
        Assert.Equal(3, read!.Version);
        Assert.Equal(["a"], read.Items.Keys);
        Assert.Equal("3", read.Items.GetString("a"));
    }

    [Fact]
    public async Task A_missing_bundle_reads_as_null_and_has_no_version()
    {
        var store = Store();

        Assert.Null(await store.ReadAsync(Ref("nothing")));
        Assert.Null(await store.GetVersionAsync(Ref("nothing")));
        Assert.Null(await store.GetInfoAsync(Ref("nothing")));
    }

    [Fact]
    public async Task A_bundle_with_no_items_still_exists_with_its_version()
    {
        var store = Store();

        await store.WriteAsync(Ref("empty"), BundleItems.Empty);

        var read = await store.ReadAsync(Ref("empty"));
        Assert.Equal(1, read!.Version);
        Assert.Empty(read.Items);
    }

    [Fact]
    public async Task Binary_values_and_many_items_round_trip_exactly()
    {
        var store = Store();
        var builder = BundleItems.CreateBuilder();
        var random = new Random(7);
        var expected = new Dictionary<string, byte[]>();
        for (var i = 0; i < 700; i++)
        {
            var value = new byte[random.Next(0, 300)];
            random.NextBytes(value);
            expected[$"item-{i}"] = value;
            builder.Add($"item-{i}", value);
        }

        await store.WriteAsync(Ref("many"), builder.Build());

        var read = await store.ReadAsync(Ref("many"));
        Assert.Equal(expected.Count, read!.Items.Count);
        foreach (var (name, value) in expected)
        {
            Assert.Equal(value, read.Items[name].ToArray());
        }
    }

    [Fact]
    public async Task Readers_never_see_a_mix_of_two_versions_while_large_bundles_are_rewritten()
    {
        const int Writes = 30;
        const int ItemBytes = 64 * 1024;
        await using var readerConnection = await redis.ConnectAsync();
        var writer = Store();
        var reader = new BundleStore(readerConnection, redis.StateOptions(Node, _prefix));
        var stateRef = Ref("detect.background");
        var readsCompleted = new SemaphoreSlim(0);
        var seenVersions = new HashSet<long>();
        var inconsistencies = new List<string>();
        using var stop = new CancellationTokenSource();

        var reading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await reader.ReadAsync(stateRef) is { } bundle)
                {
                    seenVersions.Add(bundle.Version);
                    var problem = CheckGeneration(bundle, ItemBytes);
                    if (problem is not null)
                    {
                        inconsistencies.Add(problem);
                    }
                }

                readsCompleted.Release();
            }
        });

        try
        {
            for (var generation = 1; generation <= Writes; generation++)
            {
                var builder = BundleItems.CreateBuilder();
                for (var i = 0; i < ItemCount(generation); i++)
                {
                    var value = new byte[ItemBytes];
                    Array.Fill(value, (byte)(generation % 251));
                    BitConverter.TryWriteBytes(value, (long)generation);
                    builder.Add($"part-{i}", value);
                }

                var written = await writer.WriteAsync(stateRef, builder.Build());
                Assert.Equal(generation, written.Version);

                // Wait for two more reads: the second one started after this write finished, so every version is seen.
                while (readsCompleted.Wait(0))
                {
                }

                Assert.True(await readsCompleted.WaitAsync(TimeSpan.FromSeconds(10)));
                Assert.True(await readsCompleted.WaitAsync(TimeSpan.FromSeconds(10)));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }

        Assert.Empty(inconsistencies);
        Assert.Equal(Enumerable.Range(1, Writes).Select(v => (long)v), seenVersions.Order());
    }

    private static int ItemCount(long generation) => 8 + (int)(generation % 5);

    /// <summary>Every item of version v was written by generation v, and there are exactly as many as it wrote.</summary>
    private static string? CheckGeneration(Bundle bundle, int itemBytes)
    {
        if (bundle.Items.Count != ItemCount(bundle.Version))
        {
            return $"v{bundle.Version} has {bundle.Items.Count} items, expected {ItemCount(bundle.Version)}";
        }

        foreach (var (name, value) in bundle.Items)
        {
            var span = value.Span;
            var generation = BitConverter.ToInt64(span);
            if (generation != bundle.Version || span.Length != itemBytes || span[8..].ContainsAnyExcept((byte)(generation % 251)))
            {
                return $"v{bundle.Version} item {name} was written by generation {generation}";
            }
        }

        return null;
    }

    [Fact]
    public async Task Reading_many_bundles_is_one_transaction_on_the_server_and_keeps_input_order()
    {
        var store = Store();
        var refs = new[] { Ref("a"), Ref("missing"), Ref("b"), Ref("c", "wf-2"), Ref("a") };
        await store.WriteAsync(Ref("a"), Items(("x", "A")));
        await store.WriteAsync(Ref("b"), Items(("x", "B")));
        await store.WriteAsync(Ref("c", "wf-2"), Items(("x", "C")));
        await store.ReadManyAsync([Ref("warm-up")]);

        var before = await redis.CommandCallsAsync();
        var bundles = await store.ReadManyAsync(refs);
        var after = await redis.CommandCallsAsync();

        Assert.Equal(["A", null, "B", "C", "A"], bundles.Select(b => b?.Items.GetString("x")));
        Assert.Equal(refs.Select(r => r.ToString()), bundles.Select((b, i) => b?.StateRef.ToString() ?? refs[i].ToString()));
        Assert.Equal(1, Delta(before, after, "exec"));
        Assert.Equal(refs.Length, Delta(before, after, "hgetall"));
    }

    private static long Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, string command) =>
        after.GetValueOrDefault(command) - before.GetValueOrDefault(command);

    [Fact]
    public async Task Reading_no_bundles_returns_an_empty_list()
    {
        Assert.Empty(await Store().ReadManyAsync([]));
    }

    [Fact]
    public async Task A_bundle_expires_after_its_time_to_live()
    {
        var store = Store();
        await store.WriteAsync(Ref("short"), Items(("a", "1")), TimeSpan.FromMilliseconds(300));
        var info = await store.GetInfoAsync(Ref("short"));
        Assert.NotNull(info?.TimeToLive);
        Assert.InRange(info.TimeToLive.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(300));

        await Poll.UntilAsync(async () => await store.ReadAsync(Ref("short")) is null, "the bundle has expired");

        Assert.Null(await store.GetVersionAsync(Ref("short")));
    }

    [Fact]
    public async Task Every_write_sets_a_time_to_live_the_default_when_none_is_given()
    {
        var store = Store(o => o.DefaultTimeToLive = TimeSpan.FromMinutes(5));
        await store.WriteAsync(Ref("long"), Items(("a", "1")), TimeSpan.FromHours(3));

        await store.WriteAsync(Ref("long"), Items(("a", "2")));

        var ttl = (await store.GetInfoAsync(Ref("long")))!.TimeToLive!.Value;
        Assert.InRange(ttl, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_copy_keeps_the_source_version_and_time_and_later_local_writes_continue_from_it()
    {
        var source = new Bundle(StateRef.Parse("sat-1/wf-1/detect.background"), 7, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), Items(("model", "m7")));
        var store = Store();

        var put = await store.PutCopyAsync(source);
        var copy = await store.ReadAsync(source.StateRef);
        var next = await store.WriteAsync(Ref("detect.background"), Items(("model", "m8")));

        Assert.Equal(new PutCopyResult(PutCopyOutcome.Written, 7), put);
        Assert.Equal(7, copy!.Version);
        Assert.Equal(source.UpdatedAt, copy.UpdatedAt);
        Assert.Equal("m7", copy.Items.GetString("model"));
        Assert.Equal(8, next.Version);
    }

    [Fact]
    public async Task A_copy_never_overwrites_the_same_or_a_newer_local_version()
    {
        var store = Store();
        for (var i = 0; i < 3; i++)
        {
            await store.WriteAsync(Ref("b"), Items(("v", $"local-{i + 1}")));
        }

        var older = await store.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/wf-1/b"), 2, DateTimeOffset.UnixEpoch, Items(("v", "remote-2"))));
        var same = await store.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/wf-1/b"), 3, DateTimeOffset.UnixEpoch, Items(("v", "remote-3"))));
        var newer = await store.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/wf-1/b"), 4, DateTimeOffset.UnixEpoch, Items(("v", "remote-4"))));

        Assert.Equal(new PutCopyResult(PutCopyOutcome.NewerVersionPresent, 3), older);
        Assert.Equal(new PutCopyResult(PutCopyOutcome.SameVersionPresent, 3), same);
        Assert.Equal(new PutCopyResult(PutCopyOutcome.Written, 4), newer);
        Assert.Equal("remote-4", (await store.ReadAsync(Ref("b")))!.Items.GetString("v"));
    }

    [Fact]
    public async Task A_function_scoped_store_changes_only_bundles_it_owns_but_reads_any()
    {
        var node = Store();
        var detect = node.ForFunction("detect");
        await node.WriteAsync(Ref("alarm.counts"), Items(("n", "1")));

        await detect.WriteAsync(Ref("detect.background"), Items(("m", "1")));
        await detect.WriteAsync(Ref("detect"), Items(("m", "1")));
        var write = await Assert.ThrowsAsync<BundleScopeException>(() => detect.WriteAsync(Ref("alarm.counts"), Items(("n", "2"))));
        await Assert.ThrowsAsync<BundleScopeException>(() => detect.WriteAsync(Ref("detector.x"), Items(("n", "2"))));
        await Assert.ThrowsAsync<BundleScopeException>(() => detect.DeleteAsync(Ref("alarm.counts")));
        await Assert.ThrowsAsync<BundleScopeException>(
            () => detect.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/wf-1/alarm.counts"), 9, DateTimeOffset.UnixEpoch, Items(("n", "9")))));

        Assert.Equal(Ref("alarm.counts"), write.StateRef);
        Assert.Equal("1", (await detect.ReadAsync(Ref("alarm.counts")))!.Items.GetString("n"));
        Assert.Equal(1, await node.GetVersionAsync(Ref("alarm.counts")));
        Assert.Equal("detect", detect.Scope.Function);
    }

    [Fact]
    public async Task A_bundle_over_the_size_limit_is_refused_and_nothing_is_written()
    {
        var store = Store(o => o.MaxBundleBytes = 1024);
        await store.WriteAsync(Ref("b"), Items(("small", "ok")));

        var error = await Assert.ThrowsAsync<BundleTooLargeException>(
            () => store.WriteAsync(Ref("b"), BundleItems.CreateBuilder().Add("big", new byte[2000]).Build()));
        await Assert.ThrowsAsync<BundleTooLargeException>(
            () => store.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/wf-1/b"), 5, DateTimeOffset.UnixEpoch, BundleItems.CreateBuilder().Add("big", new byte[2000]).Build())));

        Assert.Equal(2003, error.SizeBytes);
        Assert.Equal(1024, error.LimitBytes);
        Assert.Contains("edge-1/wf-1/b", error.Message, StringComparison.Ordinal);
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
        var read = await store.ReadAsync(Ref("b"));
        Assert.Equal(1, read!.Version);
        Assert.Equal("ok", read.Items.GetString("small"));
    }

    [Fact]
    public async Task A_node_writes_only_its_own_bundles_and_takes_others_as_copies()
    {
        var store = Store();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(StateRef.Parse("sat-1/wf-1/b"), Items(("a", "1"))));

        Assert.Contains("PutCopyAsync", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetVersionAsync(Ref("b")));
    }

    [Fact]
    public async Task Deleting_removes_the_bundle_and_reports_whether_it_existed()
    {
        var store = Store();
        await store.WriteAsync(Ref("b"), Items(("a", "1")));

        Assert.True(await store.DeleteAsync(Ref("b")));
        Assert.False(await store.DeleteAsync(Ref("b")));
        Assert.Null(await store.ReadAsync(Ref("b")));
    }

    [Fact]
    public async Task Listing_returns_every_bundle_of_this_node_with_metadata_optionally_by_workflow_prefix()
    {
        var store = Store();
        await store.WriteAsync(Ref("a", "run-1"), Items(("x", "12345")));
        await store.WriteAsync(Ref("a", "run-1"), Items(("x", "1")));
        await store.WriteAsync(Ref("b", "run-1"), Items(("x", "1")), TimeSpan.FromMinutes(2));
        await store.WriteAsync(Ref("a", "other"), Items(("x", "1")));
        await store.PutCopyAsync(new Bundle(StateRef.Parse("sat-1/run-2/c"), 4, DateTimeOffset.UnixEpoch, Items(("x", "1"))));
        for (var i = 0; i < 300; i++)
        {
            await store.WriteAsync(Ref($"bulk-{i}", "bulk"), BundleItems.Empty);
        }

        var all = await store.ListAsync().ToListAsync();
        var runs = await store.ListAsync("run").ToListAsync();

        Assert.Equal(304, all.Count);
        Assert.Equal(304, all.Select(i => i.StateRef).Distinct().Count());
        Assert.Equal(["edge-1/run-1/a", "edge-1/run-1/b", "edge-1/run-2/c"], runs.Select(i => i.StateRef.ToString()).Order(StringComparer.Ordinal));
        var a = runs.Single(i => i.StateRef.Bundle == "a");
        Assert.Equal(2, a.Version);
        Assert.Equal(2, a.SizeBytes);
        Assert.InRange(runs.Single(i => i.StateRef.Bundle == "b").TimeToLive!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Assert.Equal(4, runs.Single(i => i.StateRef.Bundle == "c").Version);
    }

    [Fact]
    public async Task Stores_with_different_key_prefixes_do_not_see_each_other()
    {
        var mine = Store();
        var theirs = new BundleStore(_connection, redis.StateOptions(Node));
        await mine.WriteAsync(Ref("b"), Items(("a", "1")));

        Assert.Null(await theirs.ReadAsync(Ref("b")));
        Assert.Empty(await theirs.ListAsync().ToListAsync());
    }

    [Fact]
    public async Task A_key_in_the_bundle_namespace_without_a_version_is_reported_as_malformed()
    {
        var store = Store();
        await _connection.GetDatabase().HashSetAsync(store.Keys.Key(Ref("foreign")), "x", "1");

        var error = await Assert.ThrowsAsync<StateFormatException>(() => store.ReadAsync(Ref("foreign")));

        Assert.Contains("_v", error.Message, StringComparison.Ordinal);
        Assert.Equal(store.Keys.Key(Ref("foreign")), error.Key);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_setting_named()
    {
        var error = Assert.Throws<ArgumentException>(() => Store(o => o.Node = "bad node"));
        Assert.Contains("StateOptions.Node", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ArgumentException>(() => Store(o => o.MaxBundleBytes = 0));
        Assert.Contains("MaxBundleBytes", error.Message, StringComparison.Ordinal);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
