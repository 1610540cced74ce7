using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// An awaiting propagation (<c>awaitWrite</c>) of a bundle its producer writes item by item: the target stages the items
/// as they are streamed and the copy appears at the commit. Three real sinks, each on its own redis-server.
/// </summary>
public sealed class StreamedPropagationTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static readonly StateRef Output = StateRef.Parse("sat-1/wf/detect.result");

    private static Task<(CloudNative.CloudEvents.CloudEvent Reply, StatePropagated Data)> SendAwaiting(SinkCluster cluster, string from, DateTimeOffset deadline, StateRef bundle) =>
        SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", new
        {
            bundles = new[] { bundle.ToString() },
            from,
            to = "edge-1",
            function = "alarm",
            probability = 0.9,
            deadline,
            awaitWrite = true,
        }));

    private static byte[] Tile(int index) => [.. Enumerable.Range(0, 50_000).Select(i => (byte)((i * 7) + index))];

    private static BundleWriteWatcher Watcher(SinkNode node) => node.Services.GetRequiredService<BundleWriteWatcher>();

    /// <summary>The keys on <paramref name="redis"/> under the cluster's prefix whose space is <paramref name="space"/> (b: bundles, t: stagings).</summary>
    private static List<string> Keys(RedisNode redis, SinkCluster cluster, string space) =>
        [.. redis.Redis.GetServer(redis.Redis.GetEndPoints()[0]).Keys(pattern: $"{cluster.Prefix}:{space}:*").Select(k => k.ToString())];

    /// <summary>How many items the copy staged on the edge node holds so far (0 when there is none).</summary>
    private int StagedOnEdge(SinkCluster cluster) =>
        Keys(nodes.Local, cluster, "t").Select(k => (int?)nodes.Local.Redis.GetDatabase().HashGet(k, BundleKeys.ItemCountField)).SingleOrDefault() ?? 0;

    [Fact]
    public async Task The_target_stages_the_items_while_they_are_written_and_holds_the_bundle_from_the_commit_on_equal_to_the_source()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var propagation = SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddMinutes(1), Output);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.IsAwaitingWrite(Output), "the target registered the awaiting pull");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the holder holds the fetch open");
        var read = cluster.Edge.Services.GetRequiredService<IStateReader>().ReadAsync(Output);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Joins == 1, "a reader on the target joined the awaiting pull");
        await using var writer = cluster.SatA.Store.BeginWrite(Output);

        for (var i = 0; i < 3; i++)
        {
            await writer.AppendAsync($"tile-{i}", Tile(i));
            await Poll.UntilAsync(() => StagedOnEdge(cluster) == i + 1, $"item {i} is staged on the target");
            Assert.Null(await cluster.Edge.Store.GetVersionAsync(Output));
            Assert.False(read.IsCompleted);
            Assert.False(propagation.IsCompleted);
        }

        var committed = await writer.CommitAsync();

        var result = await read.WaitAsync(SinkCluster.Bound);
        var source = await cluster.SatA.Store.ReadAsync(Output);
        var copy = await cluster.Edge.Store.ReadAsync(Output);
        Assert.Equal(StateReadSource.Waited, result.Source);
        foreach (var bundle in new[] { result.Bundle, copy! })
        {
            Assert.Equal((source!.Version, source.UpdatedAt, source.SizeBytes), (bundle.Version, bundle.UpdatedAt, bundle.SizeBytes));
            Assert.Equal(source.Items.Keys.Order(StringComparer.Ordinal), bundle.Items.Keys.Order(StringComparer.Ordinal));
            Assert.All(source.Items, item => Assert.True(item.Value.Span.SequenceEqual(bundle.Items[item.Key].Span), item.Key));
        }

        var (_, data) = await propagation.WaitAsync(SinkCluster.Bound);
        Assert.Equal((PropagationOutcomes.Pulled, committed.SizeBytes), (data.Outcome, data.Bytes));
        Assert.Null(data.Error);
        Assert.Empty(Keys(nodes.Local, cluster, "t"));
        Assert.Equal(1, cluster.Edge.Counters.Pulls.Streamed);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Streamed);
        Assert.Equal(0, cluster.Edge.InFlight.Count);
        Assert.Equal(0, cluster.Edge.Services.GetRequiredService<Skylark.Events.StateSink.Propagation.BundlePropagator>().AwaitingPulls);
    }

    [Fact]
    public async Task An_abandoned_write_fails_the_propagation_with_the_reason_and_leaves_nothing_on_the_target()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var propagation = SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddMinutes(1), Output);
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the holder holds the fetch open");
        var writer = cluster.SatA.Store.BeginWrite(Output);
        await writer.AppendAsync("tile-0", Tile(0));
        await writer.AppendAsync("tile-1", Tile(1));
        await Poll.UntilAsync(() => StagedOnEdge(cluster) == 2, "both items are staged on the target");
        var read = cluster.Edge.Services.GetRequiredService<IStateReader>().ReadAsync(Output);

        await writer.DisposeAsync();

        var (_, data) = await propagation.WaitAsync(SinkCluster.Bound);
        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains("abandoned", data.Error, StringComparison.Ordinal);
        Assert.Equal(0, data.Bytes);

        // The reader that waited for it asks the producer's node itself, which has nothing either: a clear answer, not a hang.
        await Assert.ThrowsAsync<StateNotFoundException>(() => read.WaitAsync(SinkCluster.Bound));
        Assert.Empty(Keys(nodes.Local, cluster, "t"));
        Assert.Empty(Keys(nodes.Local, cluster, "b"));
        Assert.Equal(0, cluster.Edge.InFlight.Count);
    }

    [Fact]
    public async Task A_write_still_open_at_the_deadline_fails_the_propagation_and_leaves_nothing_on_the_target()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var propagation = SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddSeconds(2), Output);
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the holder holds the fetch open");
        await using var writer = cluster.SatA.Store.BeginWrite(Output);
        await writer.AppendAsync("tile-0", Tile(0));

        var (_, data) = await propagation.WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains(Output.ToString(), data.Error, StringComparison.Ordinal);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Count == 0, "the awaiting pull ended");
        await Poll.UntilAsync(() => Keys(nodes.Local, cluster, "t").Count == 0, "the target dropped what it had staged");
        Assert.Null(await cluster.Edge.Store.GetVersionAsync(Output));
        Assert.Equal(1, cluster.SatA.Counters.Peer.StreamsAborted);
    }

    [Fact]
    public async Task A_stream_cut_short_fails_the_propagation_at_once_and_leaves_nothing_on_the_target()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var cut = StateRef.Parse("sat-2/wf/detect.result");
        await using var holder = await CuttingHolder.StartAsync(cut);
        cluster.Redirect("sat-2", holder.Url);

        var (_, data) = await SendAwaiting(cluster, "sat-2", DateTimeOffset.UtcNow.AddMinutes(1), cut).WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains(cut.ToString(), data.Error, StringComparison.Ordinal);
        Assert.True(holder.Served);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Count == 0, "the pull ended");
        Assert.Empty(Keys(nodes.Local, cluster, "t"));
        Assert.Empty(Keys(nodes.Local, cluster, "b"));
        Assert.Equal(1, cluster.Edge.Counters.Pulls.Failures);
    }

    /// <summary>A stand-in for a holder's sink that starts streaming a bundle, sends one item and then drops the connection.</summary>
    private sealed class CuttingHolder : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _served;

        private CuttingHolder(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public bool Served => Volatile.Read(ref _served) > 0;

        public static async Task<CuttingHolder> StartAsync(StateRef bundle)
        {
            var builder = WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            var app = builder.Build();
            CuttingHolder? holder = null;
            app.MapPost("/peer/bundles:fetch", async context =>
            {
                Interlocked.Increment(ref holder!._served);
                context.Response.ContentType = BundleWireFormat.StreamingMediaType;
                await using var writer = new BundleWireWriter(context.Response.Body, 1, BundleWireFormat.StreamingFormatVersion);
                await writer.BeginStreamedAsync(bundle);
                await writer.WriteStreamedItemAsync("tile-0", new byte[30_000]);
                context.Abort();
            });
            app.Urls.Add("http://127.0.0.1:0");
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            holder = new CuttingHolder(app, new Uri(address));
            return holder;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
