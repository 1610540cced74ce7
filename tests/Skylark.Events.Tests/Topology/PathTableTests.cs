using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class PathTableTests
{
    [Fact]
    public void The_lowest_latency_path_may_take_more_hops_and_its_bottleneck_is_the_narrowest_link()
    {
        var topology = TopologyLoader.Load(TopologyFiles.ThreeNodes);
        var paths = PathTable.For(topology, topology.Snapshots[0]);

        var edgeToCloud = paths.GetPath("edge", "cloud");

        // Direct edge–cloud is 40 ms; via the satellite 10 + 25 = 35 ms, limited by sat–cloud at 30 Mbit/s.
        Assert.Equal(["edge", "sat", "cloud"], edgeToCloud.Nodes);
        Assert.Equal(35, edgeToCloud.LatencyMs);
        Assert.Equal(30, edgeToCloud.BottleneckMbps);
        Assert.Equal(2, edgeToCloud.Hops);
        Assert.Equal(["cloud", "sat", "edge"], paths.GetPath("cloud", "edge").Nodes);
        Assert.Equal((10.0, 80.0), (paths.LatencyMs("sat", "edge"), paths.BottleneckMbps("sat", "edge")));
    }

    [Fact]
    public void Transfer_time_adds_serialisation_at_the_bottleneck_to_the_path_latency()
    {
        var topology = TopologyLoader.Load(TopologyFiles.ThreeNodes);
        var paths = PathTable.For(topology, topology.Snapshots[0]);

        // 3,750,000 bytes = 30 Mbit: one second at the 30 Mbit/s bottleneck, plus 35 ms.
        Assert.Equal(1035, paths.TransferTimeMs("edge", "cloud", 3_750_000), 9);
        Assert.Equal(TimeSpan.FromMilliseconds(1035), paths.GetPath("edge", "cloud").TransferTime(3_750_000));
    }

    [Fact]
    public void A_node_reaches_itself_instantly_without_shaping()
    {
        var topology = TopologyLoader.Load(TopologyFiles.ThreeNodes);
        var path = PathTable.For(topology, topology.Snapshots[0]).GetPath("sat", "sat");

        Assert.Equal(["sat"], path.Nodes);
        Assert.Equal(0, path.LatencyMs);
        Assert.Equal(double.PositiveInfinity, path.BottleneckMbps);
        Assert.Equal(0, path.TransferTimeMs(10_000_000));
    }

    [Fact]
    public void Direct_link_lookup_returns_the_link_even_when_a_faster_path_exists()
    {
        var topology = TopologyLoader.Load(TopologyFiles.ThreeNodes);
        var paths = PathTable.For(topology, topology.Snapshots[0]);

        Assert.True(paths.TryGetDirectLink("cloud", "edge", out var direct));
        Assert.Equal(new LinkConditions(40, 20), direct);
        Assert.Equal(40, topology.Snapshots[0].FindLink("edge", "cloud")!.LatencyMs);
    }

    [Fact]
    public void Equal_latency_paths_prefer_the_wider_bottleneck_whatever_the_link_order()
    {
        Node[] nodes = [new("a", NodeType.Edge), new("c", NodeType.Sat), new("b", NodeType.Sat), new("d", NodeType.Cloud)];
        var narrowFirst = new NetworkTopology(nodes, [
            new Link("a", "c", 10, 100), new Link("c", "d", 10, 20),
            new Link("a", "b", 10, 50), new Link("b", "d", 10, 50)]);
        var wideFirst = new NetworkTopology(nodes, narrowFirst.Links.Reverse());

        foreach (var topology in new[] { narrowFirst, wideFirst })
        {
            var path = PathTable.For(topology, topology.Snapshots[0]).GetPath("a", "d");
            Assert.Equal(["a", "b", "d"], path.Nodes);
            Assert.Equal(20, path.LatencyMs);
            Assert.Equal(50, path.BottleneckMbps);
        }
    }

    [Fact]
    public void An_unreachable_node_has_no_path_and_infinite_latency()
    {
        var topology = new NetworkTopology(
            [new Node("a", NodeType.Edge), new Node("b", NodeType.Cloud), new Node("island", NodeType.Sat)],
            [new Link("a", "b", 5, 10)]);
        var paths = PathTable.For(topology, topology.Snapshots[0]);

        Assert.False(paths.IsReachable("a", "island"));
        Assert.False(paths.TryGetPath("island", "b", out _));
        Assert.Equal(double.PositiveInfinity, paths.LatencyMs("a", "island"));
        Assert.Equal(double.PositiveInfinity, paths.TransferTimeMs("a", "island", 1));
        Assert.Equal(0, paths.BottleneckMbps("a", "island"));
        Assert.False(paths.TryGetDirectLink("a", "island", out _));
        Assert.Throws<InvalidOperationException>(() => paths.GetPath("a", "island"));
        Assert.Throws<KeyNotFoundException>(() => paths.GetPath("a", "nowhere"));
    }

    [Fact]
    public void Every_databelt_snapshot_routes_to_the_cloud_through_that_minutes_ground_satellite()
    {
        var testbed = TopologyLoader.Load(TopologyFiles.DatabeltTestbed);
        var tables = PathTable.ForEachSnapshot(testbed);
        var chain = TopologyFiles.SatelliteChain;

        for (var k = 0; k < tables.Count; k++)
        {
            Assert.Same(testbed.Snapshots[k], tables[k].Snapshot);
            var ground = testbed.Snapshots[k].Links.Single(l => l.A == "pi5u1" || l.B == "pi5u1").Other("pi5u1");
            var g = Array.IndexOf(chain, ground);
            for (var i = 0; i < chain.Length; i++)
            {
                // Along the chain to the ground satellite (10 ms, 90 Mbit/s per hop), then down (50 ms, 30 Mbit/s).
                var up = tables[k].GetPath(chain[i], "pi5u1");
                Assert.Equal((10.0 * Math.Abs(i - g)) + 50, up.LatencyMs);
                Assert.Equal(30, up.BottleneckMbps);
                Assert.Equal([.. Between(chain, i, g), "pi5u1"], up.Nodes);

                for (var j = 0; j < chain.Length; j++)
                {
                    Assert.Equal(10.0 * Math.Abs(i - j), tables[k].LatencyMs(chain[i], chain[j]));
                    Assert.Equal(i == j ? double.PositiveInfinity : 90, tables[k].BottleneckMbps(chain[i], chain[j]));
                }
            }
        }
    }

    private static IEnumerable<string> Between(string[] chain, int from, int to)
    {
        var step = from <= to ? 1 : -1;
        for (var i = from; i != to + step; i += step)
        {
            yield return chain[i];
        }
    }
}
