using System.Net;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.StateSink.Sync;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.StateSink;

/// <summary>dev.knative.sources.ping: the periodic sync of a real sink.</summary>
public sealed class SyncTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static StateSync Sync(SinkNode node) => node.Services.GetRequiredService<StateSync>();

    /// <summary>Makes Redis believe nothing touched <paramref name="stateRef"/>'s key for <paramref name="seconds"/> (RESTORE … IDLETIME).</summary>
    private static async Task SetIdleAsync(SinkNode node, StateRef stateRef, int seconds)
    {
        var database = node.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var key = node.Store.Keys.Key(stateRef);
        var dump = await database.KeyDumpAsync(key);
        var ttl = (long)await database.ExecuteAsync("PTTL", (RedisKey)key);
        await database.ExecuteAsync("RESTORE", (RedisKey)key, Math.Max(ttl, 0), dump!, "REPLACE", "IDLETIME", seconds);
    }

    private static async Task PropagateAsync(SinkCluster cluster, params string[] bundles)
    {
        var (_, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", bundles)));
        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
    }

    [Fact]
    public async Task Over_the_memory_budget_the_sync_evicts_least_recently_used_copies_first_and_never_the_nodes_own_bundles()
    {
        const int Padding = 10_000;
        var own = StateRef.Parse("edge-1/wf/camera");
        var size = SinkCluster.Items("x", Padding).SizeBytes;
        await using var cluster = await SinkCluster.StartAsync(nodes, (node, options) =>
        {
            if (node == "edge-1")
            {
                options.MemoryBudgetBytes = (size * 5) / 2;
            }
        });
        await cluster.Edge.Store.WriteAsync(own, SinkCluster.Items("x", Padding));
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.SatA.Store.WriteAsync(StateRef.Parse($"sat-1/wf/{name}"), SinkCluster.Items("x", Padding));
        }

        await PropagateAsync(cluster, "sat-1/wf/a", "sat-1/wf/b", "sat-1/wf/c");

        // Least recently used: the node's own bundle, then c, then b; a was used last.
        await SetIdleAsync(cluster.Edge, own, 1000);
        await SetIdleAsync(cluster.Edge, StateRef.Parse("sat-1/wf/c"), 300);
        await SetIdleAsync(cluster.Edge, StateRef.Parse("sat-1/wf/b"), 100);
        await SetIdleAsync(cluster.Edge, StateRef.Parse("sat-1/wf/a"), 10);

        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        var left = (await SinkCluster.ListAsync(cluster.Edge.Store)).Select(b => b.StateRef.Bundle).Order().ToList();
        Assert.Equal(["a", "camera"], left);
        var summary = Sync(cluster.Edge).LastSummary!;
        Assert.Equal((2, 2 * size, 2 * size), (summary.Evicted, summary.EvictedBytes, summary.BundleBytes));
        Assert.Empty(summary.Errors);
        Assert.Equal(2, cluster.Edge.Counters.Sync.Evicted);
        var copies = await cluster.Edge.Services.GetRequiredService<CopyLedger>().ReadAsync(CancellationToken.None);
        Assert.Equal(["wf:a"], copies.Keys);
    }

    [Fact]
    public async Task A_copy_a_function_has_written_since_it_was_pulled_is_never_evicted()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (node, options) => options.MemoryBudgetBytes = node == "edge-1" ? 1 : null);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/detect.background"), SinkCluster.Items("v1"));
        await PropagateAsync(cluster, "sat-1/wf/detect.background");

        // The detect function moved to edge-1 and wrote the next version over the copy: v2 exists only here.
        await cluster.Edge.Store.WriteAsync(StateRef.Parse("edge-1/wf/detect.background"), SinkCluster.Items("v2"));
        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        Assert.Equal(2L, await cluster.Edge.Store.GetVersionAsync(StateRef.Parse("edge-1/wf/detect.background")));
        var summary = Sync(cluster.Edge).LastSummary!;
        Assert.Equal(0, summary.Evicted);
        Assert.Contains(summary.Errors, e => e.Contains("over the budget of 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_census_keeps_the_last_access_it_saw_although_reading_sizes_touches_the_bundles()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("edge-1/wf/camera");
        await cluster.Edge.Store.WriteAsync(stateRef, SinkCluster.Items("x"));
        await SetIdleAsync(cluster.Edge, stateRef, 500);
        var census = new BundleCensus(nodes.Local.Redis, cluster.Edge.Store.Keys, "edge-1");
        var longAgo = DateTimeOffset.UtcNow.AddSeconds(-400);

        var first = Assert.Single(await census.TakeAsync(CancellationToken.None));
        var second = Assert.Single(await census.TakeAsync(CancellationToken.None));

        // Redis' LRU clock counts whole seconds: an access in the census's own second is indistinguishable from its read.
        await NextRedisSecondAsync();
        await cluster.Edge.Store.ReadAsync(stateRef);
        var afterRead = Assert.Single(await census.TakeAsync(CancellationToken.None));

        Assert.True(first.LastAccess < longAgo, $"first census saw {first.LastAccess:O}");
        Assert.Equal(first.LastAccess, second.LastAccess);
        Assert.True(afterRead.LastAccess > longAgo, $"after a real read the census saw {afterRead.LastAccess:O}");
        Assert.Equal((1L, SinkCluster.Items("x").SizeBytes), (afterRead.Version, afterRead.SizeBytes));
    }

    /// <summary>Waits until Redis' LRU clock (INFO lru_clock, whole seconds, what OBJECT IDLETIME counts in) has ticked.</summary>
    private async Task NextRedisSecondAsync()
    {
        var database = nodes.Local.Redis.GetDatabase();
        long LruClock()
        {
            var info = (string)database.Execute("INFO", "server")!;
            var line = info.Split('\n').Single(l => l.StartsWith("lru_clock:", StringComparison.Ordinal));
            return long.Parse(line["lru_clock:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var start = LruClock();
        await Poll.UntilAsync(() => LruClock() != start, "Redis' LRU clock ticked");
    }

    [Fact]
    public async Task The_sync_pulls_a_wanted_bundle_again_once_its_holder_has_it()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/detect");
        var (_, failed) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", stateRef.ToString())));
        Assert.Equal(PropagationOutcomes.Failed, failed.Outcome);
        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));
        Assert.Equal((1, 0, 1), (Sync(cluster.Edge).LastSummary!.Wanted, Sync(cluster.Edge).LastSummary!.Repulled, Sync(cluster.Edge).LastSummary!.StillWanted));

        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("late"));
        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        Assert.Equal("late", (await cluster.Edge.Store.ReadAsync(stateRef))!.Items.GetString("value"));
        var summary = Sync(cluster.Edge).LastSummary!;
        Assert.Equal((1, 1, 0), (summary.Wanted, summary.Repulled, summary.StillWanted));
        Assert.Equal(1, cluster.Edge.Counters.Sync.Repulled);
        Assert.Equal(0, cluster.Edge.Services.GetRequiredService<WantedBundles>().Count);
    }

    [Fact]
    public async Task The_sync_measures_round_trip_time_and_throughput_to_each_neighbour()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);

        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        var estimates = cluster.Edge.Services.GetRequiredService<LinkEstimates>().Snapshot();
        Assert.Equal(["sat-1", "sat-2"], estimates.Select(e => e.Node));
        Assert.All(estimates, e =>
        {
            Assert.Null(e.Error);
            Assert.True(e.RttMs > 0, $"RTT to {e.Node}: {e.RttMs}");
            Assert.True(e.ThroughputMbps > 0, $"throughput to {e.Node}: {e.ThroughputMbps}");
            Assert.Equal(16 * 1024, e.ProbeBytes);
        });
        Assert.Equal(["sat-1", "sat-2"], Sync(cluster.Edge).LastSummary!.Neighbours);
        Assert.Equal(2, cluster.SatA.Counters.Peer.ProbesServed);
        Assert.Equal(2, cluster.SatB.Counters.Peer.ProbesServed);
        Assert.Equal((1L, 2L, 0L), (cluster.Edge.Counters.Sync.Runs, cluster.Edge.Counters.Sync.Probes, cluster.Edge.Counters.Sync.ProbeFailures));
    }

    [Fact]
    public async Task A_neighbour_that_is_down_is_recorded_as_a_failed_probe_and_the_sync_completes()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatB.StopAsync();

        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        var estimates = cluster.Edge.Services.GetRequiredService<LinkEstimates>();
        Assert.True(estimates.TryGet("sat-2", out var down));
        Assert.NotNull(down!.Error);
        Assert.True(estimates.TryGet("sat-1", out var up));
        Assert.Null(up!.Error);
        Assert.Equal(1, Sync(cluster.Edge).LastSummary!.ProbeFailures);
        Assert.Equal(1, cluster.Edge.Counters.Sync.ProbeFailures);
    }

    [Fact]
    public async Task The_sync_reloads_a_changed_topology_file_and_keeps_the_last_good_one_when_the_file_breaks()
    {
        var directory = Directory.CreateTempSubdirectory("skylark-topology-");
        try
        {
            var path = Path.Combine(directory.FullName, "topology.yaml");
            const string Nodes = "nodes:\n  - { name: edge-1, type: edge }\n  - { name: sat-1, type: sat }\n  - { name: sat-2, type: sat }\n";
            await File.WriteAllTextAsync(path, "name: refresh\n" + Nodes + "links:\n  - { a: edge-1, b: sat-1, latencyMs: 10, bandwidthMbps: 80 }\n");
            await using var cluster = await SinkCluster.StartAsync(nodes, (node, options) =>
            {
                if (node == "edge-1")
                {
                    options.Topology = null;
                    options.TopologyPath = path;
                }
            });

            Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));
            Assert.Equal(["sat-1"], Sync(cluster.Edge).LastSummary!.Neighbours);

            await File.WriteAllTextAsync(path, "name: refresh\n" + Nodes + "links:\n  - { a: edge-1, b: sat-1, latencyMs: 10, bandwidthMbps: 80 }\n  - { a: edge-1, b: sat-2, latencyMs: 5, bandwidthMbps: 80 }\n");
            Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));
            Assert.True(Sync(cluster.Edge).LastSummary!.TopologyChanged);
            Assert.Equal(["sat-1", "sat-2"], Sync(cluster.Edge).LastSummary!.Neighbours);

            await File.WriteAllTextAsync(path, "nodes: [ this is not a topology");
            Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));
            var broken = Sync(cluster.Edge).LastSummary!;
            Assert.Contains(broken.Errors, e => e.StartsWith("topology refresh: invalid topology", StringComparison.Ordinal));
            Assert.Equal(("refresh", 2), (broken.Topology, broken.Neighbours.Count));

            await cluster.SatB.Store.WriteAsync(StateRef.Parse("sat-2/wf/a"), SinkCluster.Items("a"));
            var (_, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-2", "edge-1", "sat-2/wf/a")));
            Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Copies_that_expired_are_forgotten_by_the_next_sync()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/a"), SinkCluster.Items("a"));
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/b"), SinkCluster.Items("b"));
        await PropagateAsync(cluster, "sat-1/wf/a", "sat-1/wf/b");

        // What Redis does when a copy's TTL runs out.
        await nodes.Local.Redis.GetDatabase().KeyDeleteAsync(cluster.Edge.Store.Keys.Key(StateRef.Parse("sat-1/wf/a")));
        Assert.Equal(HttpStatusCode.OK, await SinkCluster.PingAsync(cluster.Edge));

        Assert.Equal(1, Sync(cluster.Edge).LastSummary!.Expired);
        Assert.Equal(1, cluster.Edge.Counters.Sync.Expired);
        var copies = await cluster.Edge.Services.GetRequiredService<CopyLedger>().ReadAsync(CancellationToken.None);
        Assert.Equal(["wf:b"], copies.Keys);
    }

    [Fact]
    public async Task A_ping_arriving_while_a_sync_runs_is_accepted_without_starting_another()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        cluster.SatA.Gate.Close("/peer/probe");

        var first = SinkCluster.PingAsync(cluster.Edge);
        await cluster.SatA.Gate.Arrived.Task.WaitAsync(SinkCluster.Bound);
        var second = await SinkCluster.PingAsync(cluster.Edge);
        cluster.SatA.Gate.Open();

        Assert.Equal(HttpStatusCode.Accepted, second);
        Assert.Equal(HttpStatusCode.OK, await first);
        Assert.Equal((1L, 1L), (cluster.Edge.Counters.Sync.Runs, cluster.Edge.Counters.Sync.Skipped));
    }
}
