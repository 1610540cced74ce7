using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class KubernetesAnnotationTests
{
    [Fact]
    public async Task Every_problem_in_the_clusters_labels_and_annotations_is_reported_together_and_no_pods_are_read()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var nodes = Recorded.Load("nodes.json");
        Recorded.Item(nodes, "sat-2")["metadata"]!["labels"]!["node-type"] = "satellite";
        Recorded.Item(nodes, "sat-1")["metadata"]!["annotations"]!["skylark.io/links"] = "edge-1.lab.example=10/80";
        Recorded.Item(nodes, "cloud-1")["metadata"]!["annotations"]!["skylark.io/functions"] = "alarm, alarm";
        var longName = string.Join('.', new string('a', 60), new string('b', 60), new string('c', 60));
        var longNode = Recorded.Item(nodes, "sat-1").DeepClone().AsObject();
        longNode["metadata"]!["name"] = longName;
        longNode["metadata"]!["annotations"]!.AsObject().Remove("skylark.io/links");
        nodes["items"]!.AsArray().Add(longNode);
        api.ServeList(FakeKubernetesApi.NodesPath, nodes);
        api.ServeList(FakeKubernetesApi.PodsPath, "pods.json");

        var error = await Assert.ThrowsAsync<TopologyValidationException>(() => api.LoadAsync());

        Assert.StartsWith($"invalid topology 'Kubernetes API {api.Url}' (4 problems):", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            [
                $"node '{longName[..64]}…': its name (182 characters) cannot be a Skylark node name, which appears in state references "
                    + "and must match [A-Za-z0-9_-][A-Za-z0-9._-]{0,127} (at most 128 characters).",
                "node 'cloud-1': annotation skylark.io/functions lists 'alarm' more than once.",
                "node 'sat-1': annotation skylark.io/links entry 1 'edge-1.lab.example=10/80': expected '<node>=<latency>ms/<bandwidth>Mbps', "
                    + "e.g. 'sat-2=12ms/80Mbps,cloud=35ms/30Mbps'.",
                "node 'sat-2': label node-type must be cloud, edge or sat (any case); got 'satellite'.",
            ],
            error.Errors);
        Assert.DoesNotContain(api.Requests, r => r.Path == FakeKubernetesApi.PodsPath);
    }

    [Theory]
    [InlineData("cloud-1=35ms", "entry 1 'cloud-1=35ms': expected '<node>=<latency>ms/<bandwidth>Mbps'")]
    [InlineData("cloud-1=35ms/30MBps", "entry 1 'cloud-1=35ms/30MBps': expected '<node>=<latency>ms/<bandwidth>Mbps'")]
    [InlineData("cloud-1=35/30", "entry 1 'cloud-1=35/30': expected")]
    [InlineData("cloud-1:35ms/30Mbps", "entry 1 'cloud-1:35ms/30Mbps': expected")]
    [InlineData("=35ms/30Mbps", "entry 1 '=35ms/30Mbps': expected")]
    [InlineData("sat-1=5ms/100Mbps,cloud-1=-5ms/30Mbps", "entry 2 'cloud-1=-5ms/30Mbps': expected")]
    [InlineData("cloud-1=35ms/0Mbps", "entry 1 'cloud-1=35ms/0Mbps': bandwidth must be > 0 Mbps.")]
    [InlineData("sat-2=1ms/10Mbps", "entry 1 'sat-2=1ms/10Mbps': a node cannot link to itself.")]
    [InlineData("cloud-1=35ms/30Mbps, sat-1=5ms/100Mbps, cloud-1=36ms/30Mbps", "entry 3 'cloud-1=36ms/30Mbps': 'cloud-1' is already listed in entry 1")]
    public async Task A_malformed_links_annotation_is_an_error_naming_the_node_and_the_entry(string annotation, string expected)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeList(FakeKubernetesApi.NodesPath, Recorded.NodesWith("sat-2", annotation: "skylark.io/links", annotationValue: annotation));
        api.ServeList(FakeKubernetesApi.PodsPath, "pods.json");

        var error = await Assert.ThrowsAsync<TopologyValidationException>(() => api.LoadAsync());

        var only = Assert.Single(error.Errors);
        Assert.StartsWith("node 'sat-2': annotation skylark.io/links ", only, StringComparison.Ordinal);
        Assert.Contains(expected, only, StringComparison.Ordinal);
        Assert.Contains(only, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("satellite")]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("edge,sat")]
    public async Task A_node_type_other_than_cloud_edge_or_sat_is_an_error(string value)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeList(FakeKubernetesApi.NodesPath, Recorded.NodesWith("edge-1.lab.example", label: "node-type", labelValue: value));

        var error = await Assert.ThrowsAsync<TopologyValidationException>(() => api.LoadAsync());

        Assert.Equal($"node 'edge-1.lab.example': label node-type must be cloud, edge or sat (any case); got '{value}'.", Assert.Single(error.Errors));
    }

    [Fact]
    public async Task Spaces_empty_entries_and_decimals_are_accepted_in_links_and_functions()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var nodes = Recorded.Load("nodes.json");
        Recorded.Item(nodes, "cloud-1")["metadata"]!["annotations"]!.AsObject().Remove("skylark.io/links");
        var sat2 = Recorded.Item(nodes, "sat-2")["metadata"]!["annotations"]!;
        sat2["skylark.io/links"] = "  cloud-1 = 35.5ms / 30.25Mbps ,,\n sat-1=0ms/1000Mbps, ";
        sat2["skylark.io/functions"] = " detect ,, preprocess ";
        api.ServeList(FakeKubernetesApi.NodesPath, nodes);
        api.ServeList(FakeKubernetesApi.PodsPath, "pods.json");

        var result = await api.LoadAsync();

        var links = result.Topology.Snapshots.Single();
        Assert.Equal(new LinkConditions(35.5, 30.25), links.FindLink("cloud-1", "sat-2")?.Conditions);
        Assert.Equal(new LinkConditions(0, 1000), links.FindLink("sat-1", "sat-2")?.Conditions);
        Assert.Equal(["detect", "preprocess"], result.Topology.GetNode("sat-2").Functions);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task A_link_to_a_node_outside_the_topology_is_left_out_with_a_warning()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeList(
            FakeKubernetesApi.NodesPath,
            Recorded.NodesWith("sat-2", annotation: "skylark.io/links", annotationValue: "cloud-1=40ms/25Mbps,control-plane=1ms/1000Mbps,sat-9=3ms/50Mbps"));
        api.ServeList(FakeKubernetesApi.PodsPath, "pods.json");

        var result = await api.LoadAsync();

        Assert.Equal(4, result.Topology.Links.Count);
        Assert.DoesNotContain(result.Topology.Links, l => l.A is "control-plane" or "sat-9" || l.B is "control-plane" or "sat-9");
        Assert.Equal(
            [
                "node 'sat-2': annotation skylark.io/links names 'control-plane', which is not a Skylark node (no such Kubernetes node, "
                    + "or it has no node-type label); that link is left out.",
                "node 'sat-2': annotation skylark.io/links names 'sat-9', which is not a Skylark node (no such Kubernetes node, "
                    + "or it has no node-type label); that link is left out.",
            ],
            result.Warnings);
    }

    [Fact]
    public async Task A_cluster_without_any_labelled_node_is_an_error_that_says_how_to_label_one()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var nodes = Recorded.Load("nodes.json");
        foreach (var item in nodes["items"]!.AsArray())
        {
            item!["metadata"]!["labels"]!.AsObject().Remove("node-type");
        }

        api.ServeList(FakeKubernetesApi.NodesPath, nodes);

        var error = await Assert.ThrowsAsync<TopologyValidationException>(() => api.LoadAsync());

        Assert.Equal(
            "no Kubernetes node has the label node-type (cloud | edge | sat); label at least one, e.g. kubectl label node <name> node-type=edge.",
            Assert.Single(error.Errors));
    }
}
