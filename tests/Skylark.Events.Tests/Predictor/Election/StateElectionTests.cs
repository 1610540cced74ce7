using Skylark.Events.Predictor.Election;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Predictor.Election;

/// <summary>Elections checked against hand-computed cases.</summary>
public class StateElectionTests
{
    // A —5 ms, 100 Mbit/s— B —10 ms, 50 Mbit/s— C —10 ms, 100 Mbit/s— D, and E on its own.
    // 125,000 bytes (1 Mbit): 1 Mbit/s moves 125 bytes per ms, so 10 ms at 100 Mbit/s and 20 ms at 50 Mbit/s.
    //   to B:  5 ms + 125000/(100·125) = 15 ms
    //   to C: 15 ms + 125000/( 50·125) = 35 ms   (15 ms of links; bottleneck 50, from the B–C link)
    //   to D: 25 ms + 125000/( 50·125) = 45 ms   (25 ms of links; bottleneck still 50)
    private const string Chain = """
        name: chain
        nodes:
          - { name: A, type: sat }
          - { name: B, type: sat }
          - { name: C, type: sat }
          - { name: D, type: cloud }
          - { name: E, type: sat }
        links:
          - { a: A, b: B, latencyMs: 5, bandwidthMbps: 100 }
          - { a: B, b: C, latencyMs: 10, bandwidthMbps: 50 }
          - { a: C, b: D, latencyMs: 10, bandwidthMbps: 100 }
        """;

    private const long OneMegabit = 125_000;

    private static ElectionGraph ChainGraph() => ElectionGraph.For(TopologyLoader.Parse(Chain, "chain"), 0);

    [Theory]
    [InlineData(50, "D", 45)]
    [InlineData(45, "D", 45)]
    [InlineData(40, "C", 35)]
    [InlineData(20, "B", 15)]
    public void The_farthest_node_whose_transfer_fits_the_max_latency_is_elected(double maxLatencyMs, string elected, double transferMs)
    {
        var result = StateElection.Elect(ChainGraph(), "A", "D", OneMegabit, new SloSettings(maxLatencyMs));

        Assert.Equal(ElectionOutcome.Elected, result.Outcome);
        Assert.Equal(elected, ChainGraph().Graph.NameOf(result.Node));
        Assert.Equal(transferMs, result.TransferMs, 9);
    }

    [Fact]
    public void Each_candidate_is_charged_its_own_routes_bottleneck()
    {
        var result = StateElection.Elect(ChainGraph(), "A", "D", OneMegabit, new SloSettings(40));

        // D's last link is 100 Mbit/s, but the route to it crosses the 50 Mbit/s B–C link: 45 ms, not 35 ms.
        Assert.Equal("C", ChainGraph().Graph.NameOf(result.Node));
        Assert.Equal((15.0, 50.0), (result.LatencyMs, result.BottleneckMbps));
    }

    [Fact]
    public void When_even_the_first_hop_misses_the_objective_the_state_stays_home()
    {
        var result = StateElection.Elect(ChainGraph(), "A", "D", OneMegabit, new SloSettings(14.9));

        Assert.Equal(ElectionOutcome.NothingFits, result.Outcome);
        Assert.Equal(-1, result.Node);
    }

    [Fact]
    public void Time_already_spent_counts_against_the_objective()
    {
        var graph = ChainGraph();

        Assert.Equal("B", graph.Graph.NameOf(StateElection.Elect(graph, "A", "D", OneMegabit, new SloSettings(40), elapsedMs: 10).Node));
        Assert.Equal(ElectionOutcome.SloAlreadyMissed, StateElection.Elect(graph, "A", "D", OneMegabit, new SloSettings(40), elapsedMs: 40.5).Outcome);
    }

    [Fact]
    public void Routes_narrower_than_the_min_bandwidth_are_not_elected()
    {
        var result = StateElection.Elect(ChainGraph(), "A", "D", OneMegabit, new SloSettings(maxLatencyMs: 100, minBandwidthMbps: 60));

        // C and D sit behind the 50 Mbit/s link; B is reached at 100 Mbit/s.
        Assert.Equal("B", ChainGraph().Graph.NameOf(result.Node));
    }

    [Fact]
    public void Transfer_time_is_bytes_times_8_over_megabits_per_second_in_milliseconds()
    {
        // 1,250,000 bytes = 10^7 bit; at 100 Mbit/s = 10^8 bit/s that is exactly 100 ms over a 0 ms link.
        // Databelt's size/(100·b) would say 125 ms and miss a 110 ms objective this transfer meets.
        var topology = TopologyLoader.Parse("""
            nodes: [ { name: X, type: edge }, { name: Y, type: cloud } ]
            links: [ { a: X, b: Y, latencyMs: 0, bandwidthMbps: 100 } ]
            """, "pair");
        var graph = ElectionGraph.For(topology, 0);

        Assert.Equal(100.0, StateElection.TransferTimeMs(0, 100, 1_250_000), 12);
        Assert.Equal(ElectionOutcome.Elected, StateElection.Elect(graph, "X", "Y", 1_250_000, new SloSettings(100)).Outcome);
        Assert.Equal(ElectionOutcome.Elected, StateElection.Elect(graph, "X", "Y", 1_250_000, new SloSettings(110)).Outcome);
        Assert.Equal(ElectionOutcome.NothingFits, StateElection.Elect(graph, "X", "Y", 1_250_000, new SloSettings(99.9)).Outcome);

        // Small bundles are not rounded to nothing: 99 bytes at 1 Mbit/s take 0.792 ms.
        Assert.Equal(0.792, StateElection.TransferTimeMs(0, 1, 99), 12);
    }

    [Fact]
    public void A_node_that_leaves_range_in_the_next_snapshot_is_not_elected()
    {
        var topology = TopologyLoader.Parse("""
            snapshotPeriodSeconds: 60
            nodes:
              - { name: A, type: sat }
              - { name: B, type: sat }
              - { name: C, type: sat }
              - { name: D, type: cloud }
            snapshots:
              - name: now
                links:
                  - { a: A, b: B, latencyMs: 5, bandwidthMbps: 100 }
                  - { a: B, b: C, latencyMs: 10, bandwidthMbps: 50 }
                  - { a: C, b: D, latencyMs: 10, bandwidthMbps: 100 }
              - name: later
                links:
                  - { a: A, b: B, latencyMs: 5, bandwidthMbps: 100 }
                  - { a: B, b: D, latencyMs: 30, bandwidthMbps: 100 }
            """, "rotating");

        var now = ElectionGraph.For(topology, 0);
        var later = ElectionGraph.For(topology, 1);

        // C fits a 40 ms objective now (35 ms) but is cut off next: B is elected instead. D stays reachable.
        Assert.Equal("B", now.Graph.NameOf(StateElection.Elect(now, "A", "D", OneMegabit, new SloSettings(40)).Node));
        Assert.Equal("D", now.Graph.NameOf(StateElection.Elect(now, "A", "D", OneMegabit, new SloSettings(50)).Node));

        // In 'later' the path is A–B–D; the snapshot after it ('now' again) keeps everyone connected.
        Assert.Equal("D", later.Graph.NameOf(StateElection.Elect(later, "A", "D", OneMegabit, new SloSettings(50)).Node));
    }

    [Fact]
    public void Holder_destinations_and_unreachable_ones_elect_nothing()
    {
        var graph = ChainGraph();

        Assert.Equal(ElectionOutcome.AtHolder, StateElection.Elect(graph, "C", "C", OneMegabit, new SloSettings(50)).Outcome);
        Assert.Equal(ElectionOutcome.Unreachable, StateElection.Elect(graph, "A", "E", OneMegabit, new SloSettings(50)).Outcome);
    }

    [Fact]
    public void Source_trees_are_computed_once_per_snapshot_graph()
    {
        var graph = ChainGraph();

        Assert.Same(graph.PathsFrom(0), graph.PathsFrom(0));
        Assert.NotSame(graph.PathsFrom(0), graph.PathsFrom(1));
    }

    [Fact]
    public void On_Databelts_10_node_graph_the_hand_computed_path_and_election_hold()
    {
        // Node1→Node6: via Node10, Node9, Node8, Node7 costs 6, 13, 22, 24, 32 ms; via Node2 it would cost 34 ms.
        var path = RepositoryPaths.InShared("anchors", "databelt", "graph_10.json");
        var latencyOnly = new ElectionGraph(DatabeltGraphFile.Load(path));
        Assert.Equal(
            ["Node1", "Node10", "Node9", "Node8", "Node7", "Node6"],
            latencyOnly.PathsFrom(latencyOnly.Graph.IndexOf("Node1")).PathTo(latencyOnly.Graph.IndexOf("Node6")).Select(latencyOnly.Graph.NameOf));

        // 25 ms objective: with unshaped links Node7 (24 ms) is the farthest that fits.
        var unshaped = StateElection.Elect(latencyOnly, "Node1", "Node6", 100_000, SloSettings.Databelt);
        Assert.Equal(("Node7", 24.0), (latencyOnly.Graph.NameOf(unshaped.Node), unshaped.TransferMs));

        // At 90 Mbit/s, 100 kB add 100000/(90·125) = 8.89 ms: Node7 (32.9) and Node8 (30.9) miss, Node9 (21.9) fits.
        var shaped = new ElectionGraph(DatabeltGraphFile.Load(path, bandwidthMbps: 90));
        var result = StateElection.Elect(shaped, "Node1", "Node6", 100_000, new SloSettings(25));
        Assert.Equal("Node9", shaped.Graph.NameOf(result.Node));
        Assert.Equal(13 + (100_000 / (90 * 125.0)), result.TransferMs, 9);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(10000)]
    public void On_the_benchmark_graphs_the_elected_node_is_the_farthest_fitting_one_on_the_shortest_path(int size)
    {
        var graph = new ElectionGraph(DatabeltGraphFile.Load(RepositoryPaths.InShared("anchors", "databelt", $"graph_{size}.json"), bandwidthMbps: 90));
        var (source, destination) = DatabeltGraphFile.BenchmarkPairs[size];
        var slo = new SloSettings(25, 60);
        const long bytes = 5_000;

        var result = StateElection.Elect(graph, source, destination, bytes, slo);

        var tree = graph.PathsFrom(graph.Graph.IndexOf(source));
        var path = tree.PathTo(graph.Graph.IndexOf(destination));
        var fits = path.Skip(1).Where(v => tree.LatencyMs(v) + (bytes / (tree.BottleneckMbps(v) * 125.0)) <= 25).ToList();
        if (fits.Count == 0)
        {
            Assert.Equal(ElectionOutcome.NothingFits, result.Outcome);
        }
        else
        {
            Assert.Equal(fits[^1], result.Node);
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(10000)]
    public void Trees_grown_on_demand_agree_with_a_full_search(int size)
    {
        var links = DatabeltGraphFile.Load(RepositoryPaths.InShared("anchors", "databelt", $"graph_{size}.json"));
        var (sourceName, destinationName) = DatabeltGraphFile.BenchmarkPairs[size];
        var source = links.IndexOf(sourceName);
        var tree = new ElectionGraph(links).PathsFrom(source);

        // An election toward the benchmark destination settles only nodes no farther than it ...
        var full = links.ShortestPathsFrom(source);
        var destination = links.IndexOf(destinationName);
        Assert.True(tree.IsReachable(destination));
        Assert.InRange(tree.Settled, 2, Enumerable.Range(0, size).Count(v => full.LatencyMs(v) <= full.LatencyMs(destination)));

        // ... and growing the rest later gives the full search's distances, along real paths of that length
        // (equal-length paths may differ: the benchmark weights are small integers with many ties).
        for (var v = size - 1; v >= 0; v--)
        {
            Assert.Equal(full.LatencyMs(v), tree.LatencyMs(v));
            var path = tree.PathTo(v);
            var length = 0.0;
            for (var i = 1; i < path.Length; i++)
            {
                var (targets, latencies, _) = links.ArcsOf(path[i - 1]);
                length += Enumerable.Range(0, targets.Length).Where(a => targets.Span[a] == path[i]).Min(a => latencies.Span[a]);
            }

            Assert.Equal(full.LatencyMs(v), length, 9);
        }
    }

    [Fact]
    public void Trees_agree_with_the_path_tables_of_every_testbed_snapshot()
    {
        var topology = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml"));
        for (var s = 0; s < topology.Snapshots.Count; s++)
        {
            var graph = ElectionGraph.For(topology, s);
            var table = PathTable.For(topology, topology.Snapshots[s]);
            foreach (var from in topology.Nodes)
            {
                var tree = graph.PathsFrom(topology.IndexOf(from.Name));
                foreach (var to in topology.Nodes)
                {
                    var path = table.GetPath(from.Name, to.Name);
                    var index = topology.IndexOf(to.Name);
                    Assert.Equal((path.LatencyMs, path.BottleneckMbps), (tree.LatencyMs(index), tree.BottleneckMbps(index)));
                    Assert.Equal(path.Nodes, tree.PathTo(index).Select(topology.Nodes.Select(n => n.Name).ElementAt));
                }
            }
        }
    }

    [Fact]
    public void Databelts_slo_settings_read_as_milliseconds_and_megabits_per_second()
    {
        var slo = SloSettings.Load(RepositoryPaths.InShared("anchors", "databelt", "slo-settings.json"));

        Assert.Equal(SloSettings.Databelt, slo);
        Assert.Equal((25.0, 60.0), (slo.MaxLatencyMs, slo.MinBandwidthMbps));
    }

    [Fact]
    public void Malformed_inputs_are_refused_with_the_place_named()
    {
        var directory = Directory.CreateTempSubdirectory("skylark-election-");
        try
        {
            var slo = Path.Combine(directory.FullName, "slo.json");
            File.WriteAllText(slo, """{"min_bandwidth": 60}""");
            Assert.Contains("max_latency", Assert.Throws<FormatException>(() => SloSettings.Load(slo)).Message);

            var graph = Path.Combine(directory.FullName, "graph.json");
            File.WriteAllText(graph, """{"Node1": [["Node2", -3]], "Node2": []}""");
            Assert.Contains("'Node1'[0]", Assert.Throws<FormatException>(() => DatabeltGraphFile.Load(graph)).Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
