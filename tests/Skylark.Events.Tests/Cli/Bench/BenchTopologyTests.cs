using Skylark.Events.Cli.Bench.Workflow;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Cli.Bench;

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

    private static string Describe(TopologySnapshot snapshot) =>
        snapshot.Name + ": " + string.Join("; ", snapshot.Links
            .Select(l => string.CompareOrdinal(l.A, l.B) <= 0 ? (l.A, l.B, l.LatencyMs, l.BandwidthMbps) : (A: l.B, B: l.A, l.LatencyMs, l.BandwidthMbps))
            .Order()
            .Select(l => $"{l.A}-{l.B} {l.LatencyMs} ms {l.BandwidthMbps} Mbit/s"));
}
