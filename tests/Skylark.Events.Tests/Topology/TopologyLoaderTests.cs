using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class TopologyLoaderTests
{
    private const string ValidHead = """
        nodes:
          - { name: edge, type: edge, functions: [preprocess] }
          - { name: sat, type: sat }
          - { name: cloud, type: Cloud }
        """;

    [Fact]
    public void Loads_the_three_node_topology_with_placement_and_links()
    {
        var topology = TopologyLoader.Load(TopologyFiles.ThreeNodes);

        Assert.Equal("three-nodes", topology.Name);
        Assert.Equal(["edge", "sat", "cloud"], topology.Nodes.Select(n => n.Name));
        Assert.Equal([NodeType.Edge, NodeType.Sat, NodeType.Cloud], topology.Nodes.Select(n => n.Type));
        Assert.Equal("edge", Assert.Single(topology.NodesHosting("preprocess")).Name);
        Assert.Equal("sat", Assert.Single(topology.NodesHosting("detect")).Name);
        Assert.Equal("cloud", Assert.Single(topology.NodesHosting("alarm")).Name);
        Assert.Equal("space", topology.GetNode("sat").Labels["tier"]);
        Assert.True(topology.IsStatic);

        var links = topology.Snapshots[0];
        Assert.Equal((10.0, 80.0), Params(links.FindLink("sat", "edge")));
        Assert.Equal((25.0, 30.0), Params(links.FindLink("sat", "cloud")));
        Assert.Equal((40.0, 20.0), Params(links.FindLink("cloud", "edge")));
    }

    [Fact]
    public void The_name_defaults_to_the_file_name_and_snapshot_names_to_their_position()
    {
        var topology = TopologyLoader.Parse(ValidHead + """

            snapshotPeriodSeconds: 1.5
            snapshots:
              - links: [{ a: edge, b: sat, latencyMs: 1, bandwidthMbps: 2 }]
              - name: later
                links: []
            """, "/somewhere/orbit.yaml");

        Assert.Equal("orbit", topology.Name);
        Assert.Equal(["snapshot-0", "later"], topology.Snapshots.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromSeconds(1.5), topology.SnapshotPeriod);
        Assert.Empty(topology.Links);
    }

    [Theory]
    [InlineData("- { a: edge, b: sat9, latencyMs: 1, bandwidthMbps: 1 }", "links[0] (edge–sat9): unknown node 'sat9'")]
    [InlineData("- { a: edge, b: sat, latencyMs: -5, bandwidthMbps: 1 }", "links[0]: link edge–sat: latencyMs must be a finite number ≥ 0, got -5")]
    [InlineData("- { a: edge, b: sat, latencyMs: 5, bandwidthMbps: 0 }", "links[0]: link edge–sat: bandwidthMbps must be a finite number > 0, got 0")]
    [InlineData("- { a: edge, b: edge, latencyMs: 5, bandwidthMbps: 1 }", "links[0]: link edge–edge connects 'edge' to itself")]
    [InlineData("- { a: edge, latencyMs: 5 }", "links[0]: 'b', 'bandwidthMbps' are required")]
    [InlineData("- { a: edge, b: sat, latencyMs: 1, bandwidthMbps: 1 }\n  - { a: sat, b: edge, latencyMs: 1, bandwidthMbps: 1 }", "links[1] (sat–edge) duplicates links[0]")]
    public void A_bad_link_is_reported_with_its_position_and_the_file(string linkYaml, string expected)
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse($"{ValidHead}\nlinks:\n  {linkYaml}\n", "bad.yaml"));

        Assert.Equal("bad.yaml", error.File);
        Assert.Contains(expected, Assert.Single(error.Errors), StringComparison.Ordinal);
        Assert.StartsWith("invalid topology 'bad.yaml': ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_node_names_are_rejected()
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse("""
            nodes:
              - { name: sat, type: sat }
              - { name: sat, type: cloud }
            """));

        Assert.Contains("nodes[1]: duplicate node name 'sat' (first at nodes[0])", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodes: []", "nodes: at least one node is required")]
    [InlineData("nodes:\n  - { name: x, type: moon }", "nodes[0] (x): 'type' must be one of cloud, edge, sat; got 'moon'")]
    [InlineData("nodes:\n  - { name: x, type: '1' }", "'type' must be one of cloud, edge, sat")]
    [InlineData("nodes:\n  - { type: sat }", "nodes[0]: 'name' is required")]
    [InlineData("nodes:\n  - { name: 'bad name', type: sat }", "nodes[0]: node name 'bad name' must match")]
    [InlineData("nodes:\n  - { name: x, type: sat, functions: [a, a] }", "nodes[0]: node 'x': function 'a' is listed twice")]
    public void A_bad_node_is_reported_with_its_position(string yaml, string expected)
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(yaml));

        Assert.Contains(expected, Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_and_malformed_values_point_at_the_line()
    {
        var unknown = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(ValidHead + "\nlinks:\n  - { a: edge, b: sat, latency: 5, bandwidthMbps: 1 }\n"));
        var malformed = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(ValidHead + "\nlinks:\n  - { a: edge, b: sat, latencyMs: fast, bandwidthMbps: 1 }\n"));

        var wrongShape = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(ValidHead + "\nlinks: 5\n"));

        Assert.Contains("line 6, column 24: unknown field 'latency' in a link", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("line 6, column 35: not a valid number", malformed.Message, StringComparison.Ordinal);
        Assert.Contains("line 5, column 8: this value has the wrong shape", wrongShape.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_problems_name_the_snapshot_and_all_are_reported_together()
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(ValidHead + """

            snapshots:
              - name: t0
                links: [{ a: edge, b: moon, latencyMs: 1, bandwidthMbps: 1 }]
              - name: t0
                links: [{ a: edge, b: sat, latencyMs: 1, bandwidthMbps: 0 }]
              - name: t2
            """));

        Assert.Contains(error.Errors, e => e.Contains("snapshots[1] links[0]: link edge–sat: bandwidthMbps", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("snapshots[2]: 'links' is required", StringComparison.Ordinal));
        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public void Cross_checks_run_once_each_entry_is_valid()
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(ValidHead + """

            snapshots:
              - name: t0
                links: [{ a: edge, b: moon, latencyMs: 1, bandwidthMbps: 1 }]
              - name: t0
                links: []
            """));

        Assert.Contains(error.Errors, e => e.Contains("snapshots[0] 't0' links[0] (edge–moon): unknown node 'moon'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("snapshots[1]: duplicate snapshot name 't0'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("snapshotPeriodSeconds is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void An_empty_document_is_an_error(string yaml)
    {
        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Parse(yaml));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported_as_such()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-topology-{Guid.NewGuid():N}.yaml");

        var error = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Load(path));

        Assert.Equal(path, error.File);
        Assert.Contains("cannot read the file", error.Message, StringComparison.Ordinal);
    }

    private static (double LatencyMs, double BandwidthMbps) Params(Link? link)
    {
        Assert.NotNull(link);
        return (link.LatencyMs, link.BandwidthMbps);
    }
}
