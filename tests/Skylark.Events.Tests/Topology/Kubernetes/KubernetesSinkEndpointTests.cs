using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class KubernetesSinkEndpointTests
{
    [Fact]
    public async Task Only_running_and_ready_statesink_pods_on_topology_nodes_give_endpoints()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));

        var result = await api.LoadAsync(logger: loggers.CreateLogger<KubernetesTopologySource>());

        // cloud-1 declares the port named http (8080), edge-1's pod declares http as 9090. sat-1's pod is Running but not
        // Ready, sat-2's is Pending without an IP, control-plane is not a Skylark node, and the redis pod is not selected.
        Assert.Equal(
            new Dictionary<string, Uri>
            {
                ["cloud-1"] = new("http://10.244.1.12:8080/"),
                ["edge-1.lab.example"] = new("http://10.244.2.7:9090/"),
            },
            result.SinkEndpoints);
        var skipped = logs.Entries.Where(e => e.Message.StartsWith("StateSink pod ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(
            [
                "StateSink pod skylark/statesink-b7wmc skipped: not Ready",
                "StateSink pod skylark/statesink-kq5rd skipped: phase Pending",
                "StateSink pod skylark/statesink-zz81x skipped: node 'control-plane' is not in the topology",
            ],
            skipped);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information
            && e.Message == $"Loaded topology kubernetes from the Kubernetes API at {api.Url}: 4 node(s), 5 link(s), 2 StateSink endpoint(s)");
    }

    [Fact]
    public async Task During_a_rollout_terminating_pods_are_skipped_and_the_newest_ready_pod_of_a_node_wins()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeList(FakeKubernetesApi.NodesPath, "nodes.json");
        api.ServeList(FakeKubernetesApi.PodsPath, "pods-rollout.json");

        var result = await api.LoadAsync(new KubernetesTopologyOptions { SinkPort = 7070 });

        // sat-2's pod declares no port named http, so the configured default applies; its IP is IPv6.
        Assert.Equal(
            new Dictionary<string, Uri>
            {
                ["sat-1"] = new("http://10.244.3.15:8080/"),
                ["sat-2"] = new("http://[fd00:10:244:4::1b]:7070/"),
            },
            result.SinkEndpoints);
        Assert.Contains(
            "node 'sat-1' has 2 ready StateSink pods; using the newest, statesink-h2v9d (not statesink-b7wmc).",
            result.Warnings);
    }

    [Fact]
    public async Task A_ready_pod_without_a_usable_ip_is_reported_and_gives_no_endpoint()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var pods = Recorded.Load("pods.json");
        Recorded.Item(pods, "statesink-4xk2p")["status"]!.AsObject().Remove("podIP");
        api.ServeList(FakeKubernetesApi.NodesPath, "nodes.json");
        api.ServeList(FakeKubernetesApi.PodsPath, pods);

        var result = await api.LoadAsync();

        Assert.Equal(["edge-1.lab.example"], result.SinkEndpoints.Keys);
        Assert.Contains(
            "StateSink pod skylark/statesink-4xk2p on node 'cloud-1' is Ready but has no usable pod IP (''); the node has no StateSink endpoint from it.",
            result.Warnings);
    }
}
