using System.Net;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary><c>POST /peer/bundles:fetch?wait=ms</c>: the long poll that answers when the bundles are written.</summary>
public sealed class FetchWaitTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static readonly BundleWireLimits Limits = new(8 * 1024 * 1024);

    private static HttpRequestMessage Fetch(string query, params string[] refs) =>
        new(HttpMethod.Post, "/peer/bundles:fetch" + query) { Content = JsonContent.Create(refs) };

    private static async Task<IReadOnlyList<BundleWireEntry>> ReadEntriesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        return await BundleWireFormat.ReadAsync(stream, Limits);
    }

    [Fact]
    public async Task A_waiting_fetch_is_answered_once_the_missing_bundle_is_written_and_not_before()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var watcher = cluster.SatA.Services.GetRequiredService<BundleWriteWatcher>();
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/present"), SinkCluster.Items("here"));
        using var request = Fetch("?wait=10000", "sat-1/wf/late", "sat-1/wf/present");

        var response = cluster.SatA.PeerClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Poll.UntilAsync(() => watcher.Count == 1, "the fetch waits for the missing bundle");
        Assert.False(response.IsCompleted);
        var late = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/late"), SinkCluster.Items("written", padding: 1000));

        using var answered = await response.WaitAsync(SinkCluster.Bound);
        var entries = await ReadEntriesAsync(answered);
        Assert.Equal([BundleWireStatus.Found, BundleWireStatus.Found], entries.Select(e => e.Status));
        Assert.Equal((late.Version, "written"), (entries[0].Bundle!.Version, entries[0].Bundle!.Items.GetString("value")));
        Assert.Equal("here", entries[1].Bundle!.Items.GetString("value"));
        Assert.Equal(0, watcher.Count);
    }

    [Fact]
    public async Task A_bundle_not_written_within_the_wait_is_answered_not_found()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/present"), SinkCluster.Items("here"));
        using var request = Fetch("?wait=50", "sat-1/wf/never", "sat-1/wf/present");

        using var response = await cluster.SatA.PeerClient.SendAsync(request);

        var entries = await ReadEntriesAsync(response);
        Assert.Equal([BundleWireStatus.NotFound, BundleWireStatus.Found], entries.Select(e => e.Status));
        Assert.Equal(1, cluster.SatA.Counters.Peer.NotFound);
    }

    [Theory]
    [InlineData("?wait=-1")]
    [InlineData("?wait=abc")]
    [InlineData("?wait=1.5")]
    [InlineData("?wait=300001")]
    [InlineData("?wait=")]
    [InlineData("?wait=1&wait=2")]
    public async Task A_bad_wait_is_refused_with_400_and_the_accepted_range(string query)
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        using var request = Fetch(query, "sat-1/wf/present");

        using var response = await cluster.SatA.PeerClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("wait must be a whole number of milliseconds from 0 to 300000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, cluster.SatA.Services.GetRequiredService<BundleWriteWatcher>().Count);
    }

    [Fact]
    public async Task A_wait_longer_than_the_configured_maximum_is_refused()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) => options.MaxFetchWait = TimeSpan.FromSeconds(2));
        using var request = Fetch("?wait=2001", "sat-1/wf/present");

        using var response = await cluster.SatA.PeerClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from 0 to 2000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_abandoned_waiting_fetch_stops_waiting()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var watcher = cluster.SatA.Services.GetRequiredService<BundleWriteWatcher>();
        using var request = Fetch("?wait=60000", "sat-1/wf/never");
        using var abandon = new CancellationTokenSource();

        var response = cluster.SatA.PeerClient.SendAsync(request, abandon.Token);
        await Poll.UntilAsync(() => watcher.Count == 1, "the fetch waits");
        await abandon.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => response);
        await Poll.UntilAsync(() => watcher.Count == 0, "the holder stopped waiting for the abandoned fetch");
    }

    [Fact]
    public async Task Waits_beyond_the_nodes_bound_answer_503_with_the_reason_without_waiting_out_the_others()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, configureState: (_, state) => state.MaxWriteWaiters = 1);
        using var request = Fetch("?wait=60000", "sat-1/wf/a", "sat-1/wf/b");

        using var response = await cluster.SatA.PeerClient.SendAsync(request).WaitAsync(SinkCluster.Bound);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("MaxWriteWaiters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Poll.UntilAsync(() => cluster.SatA.Services.GetRequiredService<BundleWriteWatcher>().Count == 0, "no wait is left behind");
    }
}
