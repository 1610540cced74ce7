using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;
using Skylark.Events.Tests.Topology;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Lab.Deploy;

/// <summary>
/// With <c>--topology-source kubernetes</c>, a cluster whose nodes carry what render declares, and whose StateSink pods
/// are the rendered ones, gives the StateSinks the topology file's nodes, functions and (first snapshot's) links and
/// every node's sink endpoint, read with the real client from a Kestrel stand-in for the API server; and the requests
/// it answered are the ones the rendered RBAC grants.
/// </summary>
public sealed class NodeDeclarationsTests
{
    [Theory]
    [InlineData("three-nodes.yaml")]
    [InlineData("databelt-testbed.yaml")]
    public async Task The_declared_nodes_and_rendered_sink_pods_read_back_as_the_topology_and_its_sinks(string file)
    {
        var topology = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", file));
        var manifests = ManifestRendererTests.Render(file, StateMode.Skylark, DeployTopologySource.Kubernetes);
        Assert.NotNull(manifests.NodeScript);
        foreach (var node in manifests.NodeDeclarations)
        {
            Assert.Contains($"kubectl label node {node.Node} --overwrite", manifests.NodeScript, StringComparison.Ordinal);
        }

        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeList(FakeKubernetesApi.NodesPath, NodeList(manifests.NodeDeclarations));
        api.ServeList(FakeKubernetesApi.PodsPath, PodList(manifests));

        var cluster = await api.LoadAsync();

        Assert.Empty(cluster.Warnings);
        Assert.Equal(
            topology.Nodes.Select(n => (n.Name, n.Type, string.Join(",", n.Functions))).OrderBy(n => n.Name, StringComparer.Ordinal),
            cluster.Topology.Nodes.Select(n => (n.Name, n.Type, string.Join(",", n.Functions))));
        Assert.Equal(Links(topology.Snapshots[0].Links), Links(cluster.Topology.Snapshots[0].Links));
        Assert.Equal(topology.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), cluster.SinkEndpoints.Keys.Order(StringComparer.Ordinal));
        Assert.All(cluster.SinkEndpoints.Values, url => Assert.Equal(8080, url.Port));

        // Each request the source made is one the rendered RBAC grants its StateSinks.
        var granted = KubernetesApiAccess.Of(new KubernetesTopologyOptions());
        foreach (var request in api.Requests)
        {
            Assert.Equal("GET", request.Method);
            var made = request.Path switch
            {
                FakeKubernetesApi.NodesPath => KubernetesApiAccess.ListNodes,
                FakeKubernetesApi.PodsPath => KubernetesApiAccess.ListSinkPods,
                var other => throw new Xunit.Sdk.XunitException($"unexpected request {other}"),
            };
            Assert.Contains(made, granted);
        }
    }

    private static List<(string, string, double, double)> Links(IEnumerable<Link> links) =>
        [.. links.Select(l => string.CompareOrdinal(l.A, l.B) < 0 ? (l.A, l.B, l.LatencyMs, l.BandwidthMbps) : (l.B, l.A, l.LatencyMs, l.BandwidthMbps)).Order()];

    private static JsonObject NodeList(IEnumerable<NodeDeclaration> declarations) => new()
    {
        ["kind"] = "NodeList",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["items"] = new JsonArray([.. declarations.Select(d => (JsonNode)new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = d.Node,
                ["labels"] = Object(d.Labels),
                ["annotations"] = Object(d.Annotations),
            },
        })]),
    };

    /// <summary>
    /// One Running, Ready pod per rendered Deployment, as the scheduler would place it: the API's label selector must
    /// pick the StateSinks out of Redis, mosquitto and the rest.
    /// </summary>
    private static JsonObject PodList(RenderedManifests manifests)
    {
        var pods = new JsonArray();
        var index = 0;
        foreach (var resource in manifests.Resources.Where(r => r.Kind == "Deployment"))
        {
            var deployment = KubernetesYaml.Deserialize<V1Deployment>(resource.Yaml, strict: true);
            var template = deployment.Spec.Template;
            index++;
            pods.Add(new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{deployment.Metadata.Name}-{index}",
                    ["namespace"] = deployment.Metadata.NamespaceProperty,
                    ["labels"] = Object(template.Metadata.Labels),
                    ["creationTimestamp"] = "2026-12-05T10:00:00Z",
                },
                ["spec"] = new JsonObject
                {
                    ["nodeName"] = template.Spec.NodeSelector?["kubernetes.io/hostname"] ?? "control-plane",
                    ["containers"] = new JsonArray([.. template.Spec.Containers.Select(c => (JsonNode)new JsonObject
                    {
                        ["name"] = c.Name,
                        ["ports"] = new JsonArray([.. (c.Ports ?? []).Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["containerPort"] = p.ContainerPort })]),
                    })]),
                },
                ["status"] = new JsonObject
                {
                    ["phase"] = "Running",
                    ["podIP"] = $"10.1.0.{index}",
                    ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                },
            });
        }

        return new JsonObject { ["kind"] = "PodList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["items"] = pods };
    }

    private static JsonObject Object(IEnumerable<KeyValuePair<string, string>> entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
}
