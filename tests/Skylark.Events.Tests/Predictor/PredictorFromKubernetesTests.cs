using System.Net;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Tests.Predictor.Support;
using Skylark.Events.Tests.Predictor.Traces;
using Skylark.Events.Tests.Support;
using Skylark.Events.Tests.Topology;

namespace Skylark.Events.Tests.Predictor;

/// <summary>
/// The predictor deployable with <c>--topology-source kubernetes</c>, built as its Program.cs builds it, reading a
/// stand-in API server on real Kestrel (recorded API JSON) through a kubeconfig file.
/// </summary>
public sealed class PredictorFromKubernetesTests
{
    private const string Edge = "edge-1.lab.example";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task It_elects_on_the_nodes_and_links_the_api_declares_and_reads_nothing_but_nodes()
    {
        using var scratch = new ScratchDirectory();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var predictor = await StartPredictorAsync(api.WriteKubeconfig(scratch.Path), ingress.Url);

        await ClockedWaits.UntilAsync(async () => (await predictor.ReadinessAsync()).Status == HttpStatusCode.OK, "the predictor is ready");
        var graphs = predictor.Services.GetRequiredService<PredictorTopology>().Graphs!;
        using var response = await PostAsync(predictor, Completion("wf-k8s"));
        var propagate = (await ingress.WaitForAsync(1, Bound))[0];

        Assert.Equal(["cloud-1", Edge, "sat-1", "sat-2"], graphs.Topology.Nodes.Select(n => n.Name));
        Assert.Equal(5, graphs.Topology.Links.Count);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // detect runs only on sat-1 (its skylark.io/functions annotation); edge → sat-1 is 10 ms at 80 Mbit/s, within the SLO.
        Assert.Equal(EventTypes.StatePropagate, propagate.Type);
        Assert.Equal("sat-1", propagate[ExtensionNames.TargetNode]);
        var data = ((JsonElement)propagate.Data!).Deserialize<StatePropagate>(ContractJson.Options)!;
        Assert.Equal((Edge, "sat-1", "detect"), (data.From, data.To, data.Function));
        Assert.Equal([$"{Edge}/wf-k8s/preprocess.frame"], data.Bundles.Select(b => b.ToString()));

        // Nodes only: the Predictor needs no access to pods.
        Assert.All(api.Requests, r => Assert.Equal(FakeKubernetesApi.NodesPath, r.Path));
    }

    [Fact]
    public async Task A_function_moved_by_its_annotation_is_elected_on_its_new_node_after_the_next_refresh()
    {
        using var scratch = new ScratchDirectory();
        var clock = new FakeTimeProvider();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var predictor = await StartPredictorAsync(api.WriteKubeconfig(scratch.Path), ingress.Url, clock);
        await ClockedWaits.UntilAsync(async () => (await predictor.ReadinessAsync()).Status == HttpStatusCode.OK, "the predictor is ready");
        var topology = predictor.Services.GetRequiredService<PredictorTopology>();

        using var first = await PostAsync(predictor, Completion("wf-1"));
        var before = (await ingress.WaitForAsync(1, Bound))[0];

        // detect moves from sat-1 to sat-2 (5 ms further along sat-1's link): the annotations say so.
        var nodes = Recorded.NodesWith("sat-1", annotation: "skylark.io/functions", annotationValue: null);
        Recorded.Item(nodes, "sat-2")["metadata"]!["annotations"]!["skylark.io/functions"] = "detect";
        api.ServeList(FakeKubernetesApi.NodesPath, nodes);
        await clock.AdvanceUntilAsync(
            TimeSpan.FromSeconds(30), () => Task.FromResult(topology.Graphs!.Topology.NodesHosting("detect").SingleOrDefault()?.Name == "sat-2"), "detect is on sat-2");
        using var second = await PostAsync(predictor, Completion("wf-2"));
        var after = (await ingress.WaitForAsync(2, Bound))[1];

        Assert.Equal(("sat-1", "sat-2"), ((string?)before[ExtensionNames.TargetNode], (string?)after[ExtensionNames.TargetNode]));
    }

    [Fact]
    public async Task It_is_not_ready_until_the_first_topology_has_loaded_and_then_is_without_a_restart()
    {
        using var scratch = new ScratchDirectory();
        var clock = new FakeTimeProvider();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Answer(FakeKubernetesApi.NodesPath, 500, Recorded.Text("status-500.json"));
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var predictor = await StartPredictorAsync(api.WriteKubeconfig(scratch.Path), ingress.Url, clock);
        var topology = predictor.Services.GetRequiredService<PredictorTopology>();

        await ClockedWaits.UntilAsync(() => Task.FromResult(topology.NotReadyReason?.Contains("500", StringComparison.Ordinal) == true), "a load has failed");
        var (status, body) = await predictor.ReadinessAsync();
        api.ServeRecordedCluster();
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), async () => (await predictor.ReadinessAsync()).Status == HttpStatusCode.OK, "the predictor is ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(
            $"not ready\npredictor: No usable topology from the Kubernetes API {api.Url} yet: the Kubernetes API at {api.Url} answered "
            + "GET /api/v1/nodes?labelSelector=node-type with 500 InternalServerError: etcdserver: request timed out (reason InternalError).",
            body);
        Assert.Equal(4, topology.Graphs!.Topology.Nodes.Count);
    }

    [Fact]
    public async Task With_the_databelt_policy_a_cluster_without_its_destination_node_is_refused_and_it_stays_not_ready()
    {
        using var scratch = new ScratchDirectory();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var predictor = await StartPredictorAsync(
            api.WriteKubeconfig(scratch.Path), ingress.Url, extra: ["--policy", "databelt", "--databelt-destination", "ground-station-9"]);
        var topology = predictor.Services.GetRequiredService<PredictorTopology>();

        await ClockedWaits.UntilAsync(() => Task.FromResult(topology.NotReadyReason?.Contains("ground-station-9", StringComparison.Ordinal) == true), "the view is refused");
        var (status, body) = await predictor.ReadinessAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("the Databelt destination 'ground-station-9' (--databelt-destination) is not a node of it", body, StringComparison.Ordinal);
        Assert.Null(topology.Graphs);
    }

    [Fact]
    public async Task Run_as_a_process_with_a_file_and_the_kubernetes_source_or_a_missing_kubeconfig_it_exits_2_naming_each()
    {
        await using var predictor = ServiceProcess.Start("Skylark.Events.Predictor", new Dictionary<string, string>
        {
            ["SKYLARK_EVENTING"] = TraceFiles.ShippedEventing,
            ["SKYLARK_TOPOLOGY_SOURCE"] = "kubernetes",
            ["SKYLARK_TOPOLOGY"] = TraceFiles.ThreeNodes,
            ["SKYLARK_KUBECONFIG"] = "/nonexistent/kubeconfig",
        });

        var code = await predictor.ExitAsync();

        Assert.Equal(Skylark.Events.Hosting.SkylarkService.ConfigurationExitCode, code);
        Assert.Equal(
            [
                "predictor: --topology (SKYLARK_TOPOLOGY) names a file, but --topology-source (SKYLARK_TOPOLOGY_SOURCE) is kubernetes: the topology comes from the Kubernetes API; give one of the two.",
                "predictor: --kubeconfig (SKYLARK_KUBECONFIG) names '/nonexistent/kubeconfig', which cannot be used: no such file.",
            ],
            predictor.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>preprocess completed on the edge node, its 77 kB output there; detect is next.</summary>
    private static CloudEvent Completion(string workflow)
    {
        var writer = new TraceWriter();
        var output = new StateRef(Edge, workflow, "preprocess.frame");
        writer.Completion("preprocess", workflow, Edge, "cam-1", DateTimeOffset.UtcNow, output, [], [new(output, 77_000)], 9, null, []);
        return writer.Events[0];
    }

    private static async Task<HttpResponseMessage> PostAsync(DeployableHost predictor, CloudEvent cloudEvent)
    {
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, new JsonEventFormatter());
        return await predictor.Client.PostAsync("/", content);
    }

    private static Task<DeployableHost> StartPredictorAsync(string kubeconfig, Uri broker, TimeProvider? clock = null, string[]? extra = null) =>
        DeployableHost.StartAsync(
            "predictor",
            ["--eventing", TraceFiles.ShippedEventing, "--topology-source", "kubernetes", "--kubeconfig", kubeconfig, .. extra ?? []],
            new Dictionary<string, string> { ["K_SINK"] = broker.ToString() },
            builder => builder.Services.AddPredictor(builder.Configuration),
            app => app.MapPredictor(),
            clock);
}
