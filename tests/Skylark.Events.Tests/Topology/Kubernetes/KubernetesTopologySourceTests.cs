using Skylark.Events.Contracts;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class KubernetesTopologySourceTests
{
    private static readonly string[] SkylarkNodes = ["cloud-1", "edge-1.lab.example", "sat-1", "sat-2"];

    [Fact]
    public async Task Nodes_labelled_with_a_node_type_become_the_topology_with_their_labels_and_functions()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();

        var result = await api.LoadAsync();

        var topology = result.Topology;
        Assert.Equal("kubernetes", topology.Name);
        Assert.Equal(SkylarkNodes, topology.Nodes.Select(n => n.Name));
        Assert.False(topology.Contains("control-plane"));
        Assert.Equal([NodeType.Cloud, NodeType.Edge, NodeType.Sat, NodeType.Sat], topology.Nodes.Select(n => n.Type));
        Assert.Equal("edge-1.lab.example", Assert.Single(topology.NodesHosting("preprocess")).Name);
        Assert.Equal("sat-1", Assert.Single(topology.NodesHosting("detect")).Name);
        Assert.Equal("cloud-1", Assert.Single(topology.NodesHosting("alarm")).Name);
        Assert.Empty(topology.GetNode("sat-2").Functions);

        var sat1 = topology.GetNode("sat-1").Labels;
        Assert.Equal("Sat", sat1["node-type"]);
        Assert.Equal("leo-550", sat1["skylark.io/orbit"]);
        Assert.Equal("sat-1", sat1["kubernetes.io/hostname"]);
        Assert.Equal("arm64", sat1["kubernetes.io/arch"]);

        // Kubernetes node names may contain dots; state references allow them.
        Assert.Equal("edge-1.lab.example", StateRef.Parse("edge-1.lab.example/wf-1/frame").Node);
    }

    [Fact]
    public async Task Links_come_from_both_ends_annotations_and_a_disagreement_takes_the_worse_values_with_a_warning()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));

        var result = await api.LoadAsync(logger: loggers.CreateLogger<KubernetesTopologySource>());

        var links = result.Topology.Snapshots.Single();
        Assert.Equal(5, links.Links.Count);
        Assert.Equal((40.0, 20.0), Conditions(links.FindLink("edge-1.lab.example", "cloud-1")));
        Assert.Equal((10.0, 80.0), Conditions(links.FindLink("sat-1", "edge-1.lab.example")));
        Assert.Equal((25.0, 30.0), Conditions(links.FindLink("cloud-1", "sat-1")));
        Assert.Equal((5.0, 100.0), Conditions(links.FindLink("sat-1", "sat-2")));

        // cloud-1 says 40 ms/25 Mbps, sat-2 says 35 ms/30 Mbps: the worse of each.
        Assert.Equal((40.0, 25.0), Conditions(links.FindLink("sat-2", "cloud-1")));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("link cloud-1–sat-2: the ends disagree", warning, StringComparison.Ordinal);
        Assert.Contains("cloud-1 says 40 ms/25 Mbps", warning, StringComparison.Ordinal);
        Assert.Contains("sat-2 says 35 ms/30 Mbps", warning, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(warning, StringComparison.Ordinal));

        // The loaded topology is an ordinary one: paths run over the annotated links.
        var path = PathTable.For(result.Topology, links).GetPath("edge-1.lab.example", "sat-2");
        Assert.Equal(["edge-1.lab.example", "sat-1", "sat-2"], path.Nodes);
        Assert.Equal(15.0, path.LatencyMs);
    }

    [Fact]
    public async Task The_client_asks_for_labelled_nodes_and_the_statesink_pods_of_the_skylark_namespace()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();

        await api.LoadAsync();

        Assert.Collection(
            api.Requests,
            nodes =>
            {
                Assert.Equal(("GET", "/api/v1/nodes"), (nodes.Method, nodes.Path));
                Assert.Equal("node-type", nodes["labelSelector"]);
                Assert.Equal("500", nodes["limit"]);
                Assert.Null(nodes["continue"]);
            },
            pods =>
            {
                Assert.Equal(("GET", "/api/v1/namespaces/skylark/pods"), (pods.Method, pods.Path));
                Assert.Equal("app=statesink", pods["labelSelector"]);
                Assert.Equal("500", pods["limit"]);
            });
    }

    [Fact]
    public async Task Large_lists_are_read_page_by_page_following_the_continue_token()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();

        var paged = await api.LoadAsync(new KubernetesTopologyOptions { PageSize = 3 });

        var nodeRequests = api.Requests.Where(r => r.Path == FakeKubernetesApi.NodesPath).ToList();
        Assert.Equal(2, nodeRequests.Count);
        Assert.All(nodeRequests, r => Assert.Equal("3", r["limit"]));
        Assert.Null(nodeRequests[0]["continue"]);
        Assert.False(string.IsNullOrEmpty(nodeRequests[1]["continue"]));
        Assert.Equal(2, api.Requests.Count(r => r.Path == FakeKubernetesApi.PodsPath));

        var whole = await api.LoadAsync();
        Assert.Equal(SkylarkNodes, paged.Topology.Nodes.Select(n => n.Name));
        Assert.Equal(whole.Topology.Nodes, paged.Topology.Nodes);
        Assert.Equal(whole.Topology.Links, paged.Topology.Links);
        Assert.Equal(whole.SinkEndpoints, paged.SinkEndpoints);
    }

    [Fact]
    public async Task Label_and_annotation_names_namespace_and_selector_are_configurable()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var nodes = Recorded.Load("nodes.json");
        foreach (var item in nodes["items"]!.AsArray())
        {
            var metadata = item!["metadata"]!.AsObject();
            if (metadata["labels"]!.AsObject().Remove("node-type", out var type))
            {
                metadata["labels"]!["example.org/tier"] = type!.GetValue<string>();
            }

            var annotations = metadata["annotations"]!.AsObject();
            if (annotations.Remove("skylark.io/links", out var links))
            {
                annotations["example.org/links"] = links!.GetValue<string>();
            }
        }

        api.ServeList(FakeKubernetesApi.NodesPath, nodes);
        api.ServeList("/api/v1/namespaces/edge-system/pods", "pods.json");
        var options = new KubernetesTopologyOptions
        {
            TopologyName = "lab",
            NodeTypeLabel = "example.org/tier",
            LinksAnnotation = "example.org/links",
            SinkNamespace = "edge-system",
            SinkLabelSelector = "app=statesink,pod-template-generation=3",
        };

        var result = await api.LoadAsync(options);

        Assert.Equal("lab", result.Topology.Name);
        Assert.Equal(SkylarkNodes, result.Topology.Nodes.Select(n => n.Name));
        Assert.Equal(5, result.Topology.Links.Count);
        Assert.Equal(["cloud-1", "edge-1.lab.example"], result.SinkEndpoints.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("example.org/tier", api.Requests[0]["labelSelector"]);
        Assert.Equal("/api/v1/namespaces/edge-system/pods", api.Requests[1].Path);
        Assert.Equal("app=statesink,pod-template-generation=3", api.Requests[1]["labelSelector"]);
    }

    [Fact]
    public async Task A_source_built_from_a_client_configuration_sends_its_credentials_and_owns_its_client()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var configuration = new k8s.KubernetesClientConfiguration { Host = api.Url.ToString(), AccessToken = "recorded-token" };

        using (var source = KubernetesTopologySource.Create(configuration))
        {
            Assert.Equal(api.Url, source.ApiServer);
            var result = await source.LoadAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(4, result.Topology.Nodes.Count);
        }

        Assert.Equal(2, api.Requests.Count);
        Assert.All(api.Requests, r => Assert.Equal("Bearer recorded-token", r.Authorization));
    }

    [Fact]
    public async Task AddKubernetesTopology_registers_one_source_for_the_given_cluster()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var services = new ServiceCollection()
            .AddLogging()
            .AddKubernetesTopology(new k8s.KubernetesClientConfiguration { Host = api.Url.ToString() }, new KubernetesTopologyOptions { TopologyName = "from-di" });
        await using var provider = services.BuildServiceProvider();

        var source = provider.GetRequiredService<KubernetesTopologySource>();

        Assert.Same(source, provider.GetRequiredService<KubernetesTopologySource>());
        Assert.Equal("from-di", (await source.LoadAsync().WaitAsync(TimeSpan.FromSeconds(10))).Topology.Name);
    }

    [Theory]
    [InlineData("PageSize", "PageSize must be ≥ 1")]
    [InlineData("SinkPort", "SinkPort must be 1–65535")]
    [InlineData("Timeout", "Timeout must be > 0")]
    [InlineData("SinkNamespace", "SinkNamespace must not be empty")]
    public void Invalid_options_are_rejected_when_the_source_is_built(string option, string expected)
    {
        var options = option switch
        {
            "PageSize" => new KubernetesTopologyOptions { PageSize = 0 },
            "SinkPort" => new KubernetesTopologyOptions { SinkPort = 70000 },
            "Timeout" => new KubernetesTopologyOptions { Timeout = TimeSpan.Zero },
            _ => new KubernetesTopologyOptions { SinkNamespace = " " },
        };
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });

        var error = Assert.Throws<ArgumentException>(() => new KubernetesTopologySource(client, options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static (double, double) Conditions(Link? link)
    {
        Assert.NotNull(link);
        return (link.LatencyMs, link.BandwidthMbps);
    }
}
