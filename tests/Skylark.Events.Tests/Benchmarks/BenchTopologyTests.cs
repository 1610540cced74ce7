using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Benchmarks;

public sealed class BenchTopologyTests
{
    private static NetworkTopology Testbed => TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml"));

    private static NetworkTopology Bench => TopologyLoader.Load(RepositoryPaths.InRoot("bench", "databelt-workflow.yaml"));

    [Fact]
    public void The_bench_topology_has_the_testbeds_nodes_links_and_snapshots()
    {
        var testbed = Testbed;
        var bench = Bench;

        Assert.Equal(
            testbed.Nodes.Select(n => (n.Name, n.Type, Labels: string.Join(",", n.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")))),
            bench.Nodes.Select(n => (n.Name, n.Type, Labels: string.Join(",", n.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")))));
        Assert.Equal(testbed.SnapshotPeriod, bench.SnapshotPeriod);
        Assert.Equal(testbed.Snapshots.Select(Describe), bench.Snapshots.Select(Describe));
    }

    [Fact]
    public void The_bench_topology_places_the_four_stages_on_distinct_nodes_three_satellites_then_the_cloud()
    {
        var bench = Bench;

        var hosts = WorkflowStages.InOrder.Select(stage => Assert.Single(bench.NodesHosting(stage))).ToList();

        Assert.Equal(4, hosts.Select(h => h.Name).Distinct().Count());
        Assert.Equal([NodeType.Sat, NodeType.Sat, NodeType.Sat, NodeType.Cloud], hosts.Select(h => h.Type));
        Assert.All(bench.Nodes, n => Assert.True(n.Functions.Count <= 1, $"{n.Name} hosts {n.Functions.Count} stages"));
    }

    [Fact]
    public void The_replicated_topology_places_each_satellite_stage_on_two_or_three_satellites_and_the_alarm_in_the_cloud()
    {
        var replicated = TopologyLoader.Load(RepositoryPaths.InRoot("bench", "databelt-replicated.yaml"));

        Assert.Equal(Testbed.Snapshots.Select(Describe), replicated.Snapshots.Select(Describe));
        foreach (var stage in WorkflowStages.InOrder.SkipLast(1))
        {
            var hosts = replicated.NodesHosting(stage);
            Assert.InRange(hosts.Count, 2, 3);
            Assert.All(hosts, h => Assert.Equal(NodeType.Sat, h.Type));
        }

        Assert.Equal(NodeType.Cloud, Assert.Single(replicated.NodesHosting(WorkflowStages.Alarm)).Type);
        Assert.Equal(
            WorkflowStages.InOrder.Sum(s => replicated.NodesHosting(s).Count),
            WorkflowStages.InOrder.SelectMany(s => replicated.NodesHosting(s)).Select(n => n.Name).Distinct().Count());
    }

    [Fact]
    public void The_churn_topology_is_the_static_one_with_the_ground_link_moving_every_second()
    {
        var churn = TopologyLoader.Load(RepositoryPaths.InRoot("bench", "databelt-churn.yaml"));

        Assert.Equal(TimeSpan.FromSeconds(1), churn.SnapshotPeriod);
        Assert.Equal(Bench.Snapshots.Select(Describe), churn.Snapshots.Select(Describe));
        Assert.Equal(Bench.Nodes.Select(n => (n.Name, string.Join(",", n.Functions))), churn.Nodes.Select(n => (n.Name, string.Join(",", n.Functions))));
    }

    [Fact]
    public void The_alarm_stage_runs_only_for_workflows_marked_to_alarm()
    {
        var eventing = ResourceLoader.Load([RepositoryPaths.InRoot("bench", "eventing")]);

        var alarm = eventing.Triggers.Single(t => t.Subscriber.Ref?.Name == WorkflowStages.Alarm);

        Assert.Equal("true", alarm.FilterAttributes![WorkflowStages.AlarmExtension]);
        Assert.Equal(WorkflowStages.Detect2, alarm.FilterAttributes[Skylark.Events.Contracts.ExtensionNames.Function]);
    }

    [Fact]
    public void The_demo_constellation_has_the_testbeds_links_cameras_on_every_satellite_and_detect_only_where_an_accelerator_is()
    {
        var constellation = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "camera-constellation.yaml"));

        Assert.Equal(Testbed.Nodes.Select(n => (n.Name, n.Type)), constellation.Nodes.Select(n => (n.Name, n.Type)));
        Assert.Equal(Testbed.Snapshots.Select(Describe), constellation.Snapshots.Select(Describe));
        Assert.All(constellation.NodesOfType(NodeType.Sat), n => Assert.Contains("preprocess", n.Functions));
        var detect = constellation.NodesHosting("detect");
        Assert.Equal(2, detect.Count);
        Assert.All(detect, n => Assert.Equal("true", n.Labels["accelerator"]));
        Assert.Equal(NodeType.Cloud, Assert.Single(constellation.NodesHosting("alarm")).Type);
    }

    private static string Describe(TopologySnapshot snapshot) =>
        snapshot.Name + ": " + string.Join("; ", snapshot.Links
            .Select(l => string.CompareOrdinal(l.A, l.B) <= 0 ? (l.A, l.B, l.LatencyMs, l.BandwidthMbps) : (A: l.B, B: l.A, l.LatencyMs, l.BandwidthMbps))
            .Order()
            .Select(l => $"{l.A}-{l.B} {l.LatencyMs} ms {l.BandwidthMbps} Mbit/s"));
}
