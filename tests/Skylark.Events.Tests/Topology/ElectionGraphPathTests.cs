using System.Text.Json;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

/// <summary>Single-source shortest paths on the Databelt election benchmark graphs (directed, weighted).</summary>
public class ElectionGraphPathTests
{
    [Fact]
    public void Hand_computed_distances_on_the_10_node_graph_follow_arc_direction()
    {
        var (graph, _) = Load(10);

        var fromNode1 = graph.ShortestPathsFrom("Node1");
        var fromNode5 = graph.ShortestPathsFrom("Node5");

        // Node1→2→3→4→5 costs 8+7+4+5 = 24; the other way round (Node1→10→9→8→7→6→5) costs 41.
        Assert.Equal(24, fromNode1.LatencyMs(graph.IndexOf("Node5")));
        Assert.Equal(["Node1", "Node2", "Node3", "Node4", "Node5"], fromNode1.PathTo(graph.IndexOf("Node5")).Select(graph.NameOf));

        // Back is not the same: Node5→4→3→2→1 costs 8+9+5+7 = 29 (versus 33 via Node6).
        Assert.Equal(29, fromNode5.LatencyMs(graph.IndexOf("Node1")));
        Assert.Equal(["Node5", "Node4", "Node3", "Node2", "Node1"], fromNode5.PathTo(graph.IndexOf("Node1")).Select(graph.NameOf));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(10000)]
    public void Distances_are_certified_shortest_on_the_benchmark_graphs(int size)
    {
        var (graph, arcs) = Load(size);
        var sources = new[] { 0, graph.NodeCount / 2, graph.NodeCount - 1 };

        foreach (var source in sources)
        {
            var paths = graph.ShortestPathsFrom(source);
            var distance = paths.LatenciesMs;
            Assert.Equal(0, distance[source]);

            // No arc can shorten any distance (Bellman's optimality condition) ...
            foreach (var (from, to, weight) in arcs)
            {
                Assert.True(distance[to] <= distance[from] + weight, $"arc {graph.NameOf(from)}→{graph.NameOf(to)} relaxes {graph.NameOf(to)}");
            }

            // ... and every distance is the length of a real path, so it is the shortest one.
            var weights = arcs.GroupBy(a => (a.From, a.To)).ToDictionary(g => g.Key, g => g.Min(a => a.Weight));
            for (var target = 0; target < graph.NodeCount; target++)
            {
                if (!paths.IsReachable(target))
                {
                    continue;
                }

                var path = paths.PathTo(target);
                Assert.Equal(source, path[0]);
                Assert.Equal(target, path[^1]);
                var length = 0.0;
                for (var i = 1; i < path.Length; i++)
                {
                    length += weights[(path[i - 1], path[i])];
                }

                Assert.Equal(distance[target], length, 9);
            }
        }
    }

    [Fact]
    public void A_path_table_agrees_with_single_source_searches()
    {
        var (graph, _) = Load(100);
        var table = new PathTable(graph);

        for (var source = 0; source < graph.NodeCount; source += 7)
        {
            var single = graph.ShortestPathsFrom(source);
            for (var target = 0; target < graph.NodeCount; target++)
            {
                var from = graph.NameOf(source);
                var to = graph.NameOf(target);
                Assert.Equal(single.LatencyMs(target), table.LatencyMs(from, to));
                if (single.IsReachable(target))
                {
                    Assert.Equal(single.PathTo(target).Select(graph.NameOf), table.GetPath(from, to).Nodes);
                }
            }
        }
    }

    private static (LinkGraph Graph, List<(int From, int To, double Weight)> Arcs) Load(int size)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.InShared("anchors", "databelt", $"graph_{size}.json")));
        var builder = new LinkGraph.Builder();
        var arcs = new List<(int, int, double)>();
        foreach (var node in json.RootElement.EnumerateObject())
        {
            builder.AddNode(node.Name);
        }

        foreach (var node in json.RootElement.EnumerateObject())
        {
            var from = builder.AddNode(node.Name);
            foreach (var arc in node.Value.EnumerateArray())
            {
                var to = builder.AddNode(arc[0].GetString()!);
                var weight = arc[1].GetDouble();
                builder.AddArc(from, to, weight);
                arcs.Add((from, to, weight));
            }
        }

        return (builder.Build(), arcs);
    }
}
