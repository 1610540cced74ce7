using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class ModelTests
{
    [Theory]
    [InlineData(-1, 10, "latencyMs")]
    [InlineData(double.NaN, 10, "latencyMs")]
    [InlineData(5, 0, "bandwidthMbps")]
    [InlineData(5, -3, "bandwidthMbps")]
    [InlineData(5, double.PositiveInfinity, "bandwidthMbps")]
    public void A_link_rejects_impossible_latency_or_bandwidth(double latencyMs, double bandwidthMbps, string field)
    {
        var error = Assert.Throws<TopologyValidationException>(() => new Link("a", "b", latencyMs, bandwidthMbps));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_cannot_connect_a_node_to_itself()
    {
        var error = Assert.Throws<TopologyValidationException>(() => new Link("sat", "sat", 1, 1));

        Assert.Contains("itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_is_undirected()
    {
        var link = new Link("edge", "sat", 10, 80);

        Assert.True(link.Connects("sat", "edge"));
        Assert.True(link.Connects("edge", "sat"));
        Assert.False(link.Connects("edge", "cloud"));
        Assert.Equal("edge", link.Other("sat"));
        Assert.Throws<ArgumentException>(() => link.Other("cloud"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void A_node_name_must_be_usable_in_a_state_reference(string name)
    {
        Assert.Throws<TopologyValidationException>(() => new Node(name, NodeType.Edge));
    }

    [Fact]
    public void A_node_lists_each_function_once_and_copies_its_inputs()
    {
        var functions = new List<string> { "preprocess" };
        var labels = new Dictionary<string, string> { ["zone"] = "eu" };
        var node = new Node("edge", NodeType.Edge, labels, functions);
        functions.Add("detect");
        labels["zone"] = "us";

        Assert.Equal(["preprocess"], node.Functions);
        Assert.Equal("eu", node.Labels["zone"]);
        Assert.True(node.Hosts("preprocess"));
        Assert.False(node.Hosts("detect"));
        Assert.Throws<TopologyValidationException>(() => new Node("edge", NodeType.Edge, functions: ["detect", "detect"]));
    }

    [Fact]
    public void A_static_topology_is_one_snapshot_named_static()
    {
        var topology = new NetworkTopology(
            [new Node("a", NodeType.Edge), new Node("b", NodeType.Cloud)],
            [new Link("a", "b", 5, 10)]);

        var snapshot = Assert.Single(topology.Snapshots);
        Assert.Equal(NetworkTopology.StaticSnapshotName, snapshot.Name);
        Assert.True(topology.IsStatic);
        Assert.Null(topology.SnapshotPeriod);
        Assert.Same(snapshot.Links[0], snapshot.FindLink("b", "a"));
        Assert.Null(snapshot.FindLink("a", "a"));
    }

    [Fact]
    public void Every_problem_of_a_topology_is_reported_at_once()
    {
        var error = Assert.Throws<TopologyValidationException>(() => new NetworkTopology(
            [new Node("a", NodeType.Edge), new Node("a", NodeType.Sat), new Node("b", NodeType.Cloud)],
            [new Link("a", "ghost", 1, 1), new Link("a", "b", 1, 1), new Link("b", "a", 2, 2)]));

        Assert.Equal(3, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("nodes[1]: duplicate node name 'a'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("links[0] (a–ghost): unknown node 'ghost'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("links[2] (b–a) duplicates links[1]", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_snapshots_need_a_period_and_exclude_static_links()
    {
        Node[] nodes = [new Node("a", NodeType.Edge), new Node("b", NodeType.Cloud)];
        TopologySnapshot[] snapshots = [new("t0", [new Link("a", "b", 1, 1)]), new("t1", [])];

        var noPeriod = Assert.Throws<TopologyValidationException>(() => new NetworkTopology(nodes, [], snapshots));
        var both = Assert.Throws<TopologyValidationException>(() => new NetworkTopology(nodes, [new Link("a", "b", 1, 1)], snapshots, TimeSpan.FromSeconds(1)));
        var rotating = new NetworkTopology(nodes, [], snapshots, TimeSpan.FromSeconds(30));

        Assert.Contains("snapshotPeriodSeconds is required", noPeriod.Message, StringComparison.Ordinal);
        Assert.Contains("mutually exclusive", both.Message, StringComparison.Ordinal);
        Assert.Equal(2, rotating.Snapshots.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), rotating.SnapshotPeriod);
        Assert.False(rotating.IsStatic);
    }

    [Fact]
    public void A_snapshot_holds_at_most_one_link_per_pair()
    {
        var error = Assert.Throws<TopologyValidationException>(() => new TopologySnapshot("t0", [new Link("a", "b", 1, 1), new Link("b", "a", 1, 1)]));

        Assert.Contains("duplicates links[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transfer_time_is_latency_plus_serialisation_at_the_bandwidth()
    {
        var conditions = new LinkConditions(10, 80);

        // 1,000,000 bytes = 8 Mbit; at 80 Mbit/s that is 100 ms.
        Assert.Equal(110, conditions.TransferTimeMs(1_000_000), 9);
        Assert.Equal(10, conditions.TransferTimeMs(0), 9);
        Assert.Equal(0, LinkConditions.Local.TransferTimeMs(1_000_000));
    }
}
