using System.Text.Json;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

/// <summary>The shipped testbed topology is the original Databelt data, value for value.</summary>
public class DatabeltTestbedTests
{
    private static readonly NetworkTopology Testbed = TopologyLoader.Load(TopologyFiles.DatabeltTestbed);

    [Fact]
    public void Every_snapshot_matches_topologies_json_link_for_link()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TopologyFiles.DatabeltJson));
        var source = json.RootElement.EnumerateArray().ToList();

        Assert.Equal(source.Count, Testbed.Snapshots.Count);
        for (var s = 0; s < source.Count; s++)
        {
            var edges = source[s].EnumerateArray().ToList();
            var links = Testbed.Snapshots[s].Links;
            Assert.Equal(edges.Count, links.Count);
            for (var i = 0; i < edges.Count; i++)
            {
                Assert.Equal(edges[i].GetProperty("source").GetProperty("node_name").GetString(), links[i].A);
                Assert.Equal(edges[i].GetProperty("target").GetProperty("node_name").GetString(), links[i].B);
                Assert.Equal(edges[i].GetProperty("latency").GetDouble(), links[i].LatencyMs);
                Assert.Equal(edges[i].GetProperty("bandwidth").GetDouble(), links[i].BandwidthMbps);
            }
        }
    }

    [Fact]
    public void Nodes_have_the_types_and_addresses_of_topologies_json()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TopologyFiles.DatabeltJson));
        var ends = json.RootElement.EnumerateArray()
            .SelectMany(snapshot => snapshot.EnumerateArray())
            .SelectMany(edge => new[] { edge.GetProperty("source"), edge.GetProperty("target") })
            .Select(end => (Name: end.GetProperty("node_name").GetString()!, Type: end.GetProperty("node_type").GetString()!, Ip: end.GetProperty("node_ip").GetString()!))
            .Distinct()
            .ToList();

        Assert.Equal(ends.Select(e => e.Name).Order(), Testbed.Nodes.Select(n => n.Name).Order());
        foreach (var (name, type, ip) in ends)
        {
            var node = Testbed.GetNode(name);
            Assert.Equal(Enum.Parse<NodeType>(type), node.Type);
            Assert.Equal(ip, node.Labels["testbed-ip"]);
        }
    }

    [Fact]
    public void Snapshots_rotate_every_minute_with_satellites_running_preprocess_and_detect_and_the_cloud_alarm()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Testbed.SnapshotPeriod);
        Assert.Equal(7, Testbed.NodesOfType(NodeType.Sat).Count);
        var cloud = Assert.Single(Testbed.NodesOfType(NodeType.Cloud));
        Assert.Equal(["alarm"], cloud.Functions);
        Assert.All(Testbed.NodesOfType(NodeType.Sat), sat => Assert.Equal(["preprocess", "detect"], sat.Functions));
    }
}
