using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public sealed class KubernetesTopologyRefresherTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_load_that_changes_nothing_is_not_handed_on_and_a_changed_annotation_is()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var handed = new List<KubernetesTopology>();
        using var refresher = Create(api, (cluster, _) =>
        {
            handed.Add(cluster);
            return Task.CompletedTask;
        });

        var first = await refresher.RefreshAsync(CancellationToken.None);
        var again = await refresher.RefreshAsync(CancellationToken.None);
        api.ServeList(FakeKubernetesApi.NodesPath, Recorded.NodesWith("sat-2", annotation: "skylark.io/links", annotationValue: "cloud-1=40ms/25Mbps,sat-1=6ms/100Mbps"));
        var changed = await refresher.RefreshAsync(CancellationToken.None);

        Assert.Equal((true, false, true), (first, again, changed));
        Assert.Equal(2, handed.Count);
        Assert.Same(handed[1], refresher.Current);
        Assert.Empty(refresher.Current!.Warnings);
        Assert.Equal((3L, 0L), (refresher.Loads, refresher.Failures));
    }

    [Fact]
    public async Task A_failed_load_keeps_the_last_good_view_logs_why_and_a_later_load_recovers()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        using var refresher = Create(api, logger: loggers.CreateLogger<KubernetesTopologyRefresher>());
        await refresher.RefreshAsync(CancellationToken.None);
        var good = refresher.Current;

        api.Answer(FakeKubernetesApi.NodesPath, 403, Recorded.Text("status-403.json"));
        var apiDown = await Assert.ThrowsAsync<KubernetesTopologyException>(() => refresher.RefreshAsync(CancellationToken.None));
        var keptAfterApiError = refresher.Current;
        api.ServeList(FakeKubernetesApi.NodesPath, Recorded.NodesWith("sat-1", annotation: "skylark.io/links", annotationValue: "cloud-1=fast"));
        var invalid = await Assert.ThrowsAsync<TopologyValidationException>(() => refresher.RefreshAsync(CancellationToken.None));
        var keptAfterInvalid = refresher.Current;
        var lastError = refresher.LastError;
        api.ServeRecordedCluster();
        var recovered = await refresher.RefreshAsync(CancellationToken.None);

        Assert.Same(good, keptAfterApiError);
        Assert.Same(good, keptAfterInvalid);
        Assert.Equal(invalid.Message, lastError);
        Assert.False(recovered);
        Assert.Null(refresher.LastError);
        Assert.Null(refresher.NotLoadedReason);
        Assert.Equal(2, refresher.Failures);
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Could not refresh", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Equal($"Could not refresh the topology from the Kubernetes API {api.Url}; keeping the last good one (4 node(s)): {apiDown.Message}", warnings[0].Message);
        Assert.Contains("cloud-1=fast", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_anything_loads_it_retries_soon_doubling_the_wait_and_then_refreshes_every_interval()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Answer(FakeKubernetesApi.NodesPath, 500, Recorded.Text("status-500.json"));
        var clock = new FakeTimeProvider();
        using var refresher = Create(api, clock: clock);
        using var stop = new CancellationTokenSource();

        var run = refresher.RunAsync(stop.Token);
        await Loads(refresher, 1);
        var reason = refresher.NotLoadedReason;
        clock.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(100);
        var beforeFirstRetry = refresher.Loads;
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Loads(refresher, 2);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(100);
        var beforeSecondRetry = refresher.Loads;
        api.ServeRecordedCluster();
        clock.Advance(TimeSpan.FromSeconds(0.5));
        await Loads(refresher, 3);
        clock.Advance(Interval - TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        var beforeInterval = refresher.Loads;
        clock.Advance(TimeSpan.FromSeconds(1));
        await Loads(refresher, 4);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith($"no topology has loaded from the Kubernetes API {api.Url} yet: the Kubernetes API at {api.Url} answered GET /api/v1/nodes", reason, StringComparison.Ordinal);
        Assert.Equal((1L, 2L, 3L), (beforeFirstRetry, beforeSecondRetry, beforeInterval));
        Assert.Equal(2, refresher.Failures);
    }

    [Fact]
    public async Task A_view_the_service_refuses_is_not_kept_and_is_offered_again_at_the_next_load()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var refuse = true;
        using var refresher = Create(api, (_, _) => refuse
            ? throw new TopologyValidationException("test", ["node 'ground-9' is missing"])
            : Task.CompletedTask);

        var refused = await Assert.ThrowsAsync<TopologyValidationException>(() => refresher.RefreshAsync(CancellationToken.None));
        var afterRefusal = (refresher.Current, refresher.NotLoadedReason);
        refuse = false;
        var accepted = await refresher.RefreshAsync(CancellationToken.None);

        Assert.Null(afterRefusal.Current);
        Assert.EndsWith(refused.Message, afterRefusal.NotLoadedReason, StringComparison.Ordinal);
        Assert.True(accepted);
        Assert.NotNull(refresher.Current);
    }

    [Fact]
    public async Task Without_sink_endpoints_only_the_nodes_are_listed()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var feed = new KubernetesTopologyFeed(
            new k8s.KubernetesClientConfiguration { Host = api.Url.ToString() }, new KubernetesTopologyOptions { ListSinkEndpoints = false }, Interval);
        using var refresher = KubernetesTopologyRefresher.Create(feed);

        await refresher.RefreshAsync(CancellationToken.None);

        Assert.Equal(4, refresher.Current!.Topology.Nodes.Count);
        Assert.Empty(refresher.Current.SinkEndpoints);
        Assert.Equal([FakeKubernetesApi.NodesPath], api.Requests.Select(r => r.Path));
    }

    private static KubernetesTopologyRefresher Create(
        FakeKubernetesApi api,
        Func<KubernetesTopology, CancellationToken, Task>? changed = null,
        FakeTimeProvider? clock = null,
        ILogger<KubernetesTopologyRefresher>? logger = null) =>
        KubernetesTopologyRefresher.Create(
            new KubernetesTopologyFeed(new k8s.KubernetesClientConfiguration { Host = api.Url.ToString() }, refreshInterval: Interval),
            changed,
            clock,
            logger);

    /// <summary>
    /// Until <paramref name="count"/> loads have ended, and a little longer: the loop must be waiting on the fake clock
    /// before the test moves it, or the wait would start from the moved time.
    /// </summary>
    private static async Task Loads(KubernetesTopologyRefresher refresher, long count)
    {
        await ClockedWaits.UntilAsync(
            () => Task.FromResult(refresher.Loads >= count && (refresher.Current is not null || refresher.Failures >= count)), $"{count} load(s) have ended");
        await Task.Delay(100);
    }
}
