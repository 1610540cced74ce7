using System.Net;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Tests.Support;
using Skylark.Events.Tests.Topology;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// The statesink deployable with <c>--topology-source kubernetes</c>, built as its Program.cs builds it, reaching a
/// stand-in API server on real Kestrel (recorded API JSON) through a kubeconfig file, with real redis-servers and real
/// peer sinks that only the API's pod list names.
/// </summary>
public sealed class StateSinkFromKubernetesTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private const string Node = "sat-1";
    private const string Edge = "edge-1.lab.example";
    private const string Sat2 = "sat-2";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task It_learns_nodes_links_and_peers_from_the_api_and_pulls_a_bundle_from_a_peer_only_the_api_names()
    {
        using var scratch = new ScratchDirectory();
        var prefix = RedisServer.NewKeyPrefix();
        await using var api = await FakeKubernetesApi.StartAsync();
        await using var edge = await StartPeerAsync(nodes.Local, Edge, prefix);
        api.ServeList(FakeKubernetesApi.NodesPath, "nodes.json");
        api.ServeList(FakeKubernetesApi.PodsPath, Recorded.PodsWithSinks((Edge, edge.BaseAddress.Port)));
        await using var sink = await StartSinkAsync(api.WriteKubeconfig(scratch.Path, token: "statesink-token"), prefix);

        await ClockedWaits.UntilAsync(async () => (await sink.ReadinessAsync()).Status == HttpStatusCode.OK, "the sink is ready");
        var topology = sink.Services.GetRequiredService<SinkTopology>();
        var written = await edge.Store.WriteAsync(StateRef.Parse($"{Edge}/wf-k8s/preprocess.frame"), SinkCluster.Items("frame", padding: 4000));
        var (_, propagated) = await SinkCluster.SendAsync(sink.Client, SinkCluster.Propagate(Node, SinkCluster.PropagateData(Edge, Node, written.StateRef.ToString()), workflowId: "wf-k8s"));

        Assert.Equal("kubernetes", topology.Current!.Name);
        Assert.Equal(["cloud-1", Edge, Node, Sat2], topology.Current.Nodes.Select(n => n.Name));
        Assert.Equal(["cloud-1", Edge, Sat2], topology.Neighbours());
        Assert.Equal((5.0, 100.0), Conditions(topology.Current, Node, Sat2));
        Assert.Equal(edge.BaseAddress, sink.Services.GetRequiredService<ISinkDirectory>().SinkFor(Node, Edge));
        Assert.Equal(PropagationOutcomes.Pulled, propagated.Outcome);
        var copy = await sink.Services.GetRequiredService<BundleStore>().ReadAsync(written.StateRef);
        Assert.Equal((written.Version, "frame"), (copy!.Version, copy.Items.GetString("value")));
        Assert.Equal(1, edge.Counters.Peer.Served);

        // The client of the kubeconfig, nothing else: the nodes, then the StateSink pods of the default namespace.
        Assert.All(api.Requests, r => Assert.Equal("Bearer statesink-token", r.Authorization));
        Assert.Equal(
            [(FakeKubernetesApi.NodesPath, "node-type"), (FakeKubernetesApi.PodsPath, "app=statesink")],
            api.Requests.Take(2).Select(r => (r.Path, r["labelSelector"])));
    }

    [Fact]
    public async Task A_changed_link_annotation_and_a_new_peer_pod_are_in_use_after_the_next_refresh()
    {
        using var scratch = new ScratchDirectory();
        var prefix = RedisServer.NewKeyPrefix();
        var clock = new FakeTimeProvider();
        var logs = new RecordingLoggerProvider();
        await using var api = await FakeKubernetesApi.StartAsync();
        await using var edge = await StartPeerAsync(nodes.Local, Edge, prefix);
        await using var sat2 = await StartPeerAsync(nodes.RemoteB, Sat2, prefix);
        api.ServeList(FakeKubernetesApi.NodesPath, "nodes.json");
        api.ServeList(FakeKubernetesApi.PodsPath, Recorded.PodsWithSinks((Edge, edge.BaseAddress.Port)));
        await using var sink = await StartSinkAsync(api.WriteKubeconfig(scratch.Path), prefix, clock, logs);
        await ClockedWaits.UntilAsync(async () => (await sink.ReadinessAsync()).Status == HttpStatusCode.OK, "the sink is ready");
        var topology = sink.Services.GetRequiredService<SinkTopology>();
        var written = await sat2.Store.WriteAsync(StateRef.Parse($"{Sat2}/wf-k8s/detect.background"), SinkCluster.Items("background"));
        var command = SinkCluster.Propagate(Node, SinkCluster.PropagateData(Sat2, Node, written.StateRef.ToString()), workflowId: "wf-k8s");

        var (_, before) = await SinkCluster.SendAsync(sink.Client, command);
        var linkBefore = Conditions(topology.Current!, Node, Sat2);

        // sat-1 now declares its link to sat-2 as well, worse than sat-2 does; sat-2's StateSink pod became ready.
        api.ServeList(FakeKubernetesApi.NodesPath, Recorded.NodesWith(Node, annotation: "skylark.io/links", annotationValue: $"{Edge}=10ms/80Mbps,cloud-1=25ms/30Mbps,{Sat2}=8ms/50Mbps"));
        api.ServeList(FakeKubernetesApi.PodsPath, Recorded.PodsWithSinks((Edge, edge.BaseAddress.Port), (Sat2, sat2.BaseAddress.Port)));
        await clock.AdvanceUntilAsync(Refresh, () => Task.FromResult(Conditions(topology.Current!, Node, Sat2) == (8.0, 50.0)), "the refreshed links are in use");
        var (_, after) = await SinkCluster.SendAsync(sink.Client, SinkCluster.Propagate(Node, SinkCluster.PropagateData(Sat2, Node, written.StateRef.ToString()), workflowId: "wf-k8s"));

        Assert.Equal((5.0, 100.0), linkBefore);
        Assert.Equal(PropagationOutcomes.Failed, before.Outcome);
        Assert.Contains($"lists no Running and Ready StateSink pod on node '{Sat2}'", before.Error, StringComparison.Ordinal);
        Assert.Equal(PropagationOutcomes.Pulled, after.Outcome);
        Assert.Equal(sat2.BaseAddress, sink.Services.GetRequiredService<ISinkDirectory>().SinkFor(Node, Sat2));
        Assert.Equal("background", (await sink.Services.GetRequiredService<BundleStore>().ReadAsync(written.StateRef))!.Items.GetString("value"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Topology changed from the Kubernetes API", StringComparison.Ordinal)
            && e.Message.EndsWith("4 node(s), 5 link(s), 3 StateSink endpoint(s)", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("link sat-1–sat-2: the ends disagree", StringComparison.Ordinal));
    }

    [Fact]
    public async Task It_is_not_ready_while_the_api_is_unreachable_at_start_keeps_trying_and_is_ready_once_it_answers()
    {
        using var scratch = new ScratchDirectory();
        var prefix = RedisServer.NewKeyPrefix();
        var clock = new FakeTimeProvider();
        var url = TestEvents.UnreachableUrl();
        await using var sink = await StartSinkAsync(FakeKubernetesApi.WriteKubeconfig(scratch.Path, url), prefix, clock);
        var refresher = sink.Services.GetRequiredService<KubernetesTopologyRefresher>();

        await ClockedWaits.UntilAsync(() => Task.FromResult(refresher.Failures > 0), "a load has failed");
        var (status, body) = await sink.ReadinessAsync();
        var (_, refused) = await SinkCluster.SendAsync(sink.Client, SinkCluster.Propagate(Node, SinkCluster.PropagateData(Edge, Node, $"{Edge}/wf/frame")));
        await using var api = await FakeKubernetesApi.StartAsync(url.Port);
        api.ServeRecordedCluster();
        await clock.AdvanceUntilAsync(KubernetesTopologyRefresher.FirstRetry, async () => (await sink.ReadinessAsync()).Status == HttpStatusCode.OK, "the sink is ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith(
            $"not ready\ntopology: No topology has loaded from the Kubernetes API {url} yet: could not reach the Kubernetes API at {url} for GET /api/v1/nodes?labelSelector=node-type: ",
            body,
            StringComparison.Ordinal);
        Assert.Equal(PropagationOutcomes.Failed, refused.Outcome);
        Assert.Contains("no topology has loaded from the Kubernetes API", refused.Error, StringComparison.Ordinal);
        Assert.Equal(4, sink.Services.GetRequiredService<SinkTopology>().Current!.Nodes.Count);
    }

    private static (double, double) Conditions(NetworkTopology topology, string a, string b)
    {
        var link = topology.Snapshots.Single().FindLink(a, b);
        return link is null ? (double.NaN, double.NaN) : (link.LatencyMs, link.BandwidthMbps);
    }

    /// <summary>A peer sink on <paramref name="redis"/> playing the StateSink pod of <paramref name="name"/>; it never pulls.</summary>
    private static Task<SinkNode> StartPeerAsync(RedisNode redis, string name, string prefix) =>
        SinkNode.StartAsync(
            redis,
            prefix,
            SinkCluster.PeerToken,
            new DelegatingSinkDirectory((_, to) => throw new KeyNotFoundException($"peer {name} pulls from nobody ({to})")),
            options => options.Topology = new NetworkTopology([new Node(name, NodeType.Sat)], [], name: "peer"),
            state => state.Node = name);

    private Task<DeployableHost> StartSinkAsync(string kubeconfig, string prefix, TimeProvider? clock = null, ILoggerProvider? logs = null) =>
        DeployableHost.StartAsync(
            "statesink",
            [
                "--node", Node, "--redis", nodes.RemoteA.Server.Configuration, "--key-prefix", prefix,
                "--topology-source", "kubernetes", "--kubeconfig", kubeconfig, "--topology-refresh", "30s",
            ],
            new Dictionary<string, string>
            {
                ["SKYLARK_REDIS_PASSWORD"] = nodes.RemoteA.Server.Password,
                ["SKYLARK_PEER_TOKEN"] = SinkCluster.PeerToken,
            },
            builder => builder.Services.AddStateSink(builder.Configuration),
            app => app.MapStateSink(),
            clock,
            logs);
}
