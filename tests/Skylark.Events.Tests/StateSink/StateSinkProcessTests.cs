using System.Net;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;
using Skylark.Events.Tests.Topology;

namespace Skylark.Events.Tests.StateSink;

/// <summary>The statesink deployable as a pod runs it: its own process, configured by environment variables only.</summary>
public sealed class StateSinkProcessTests
{
    private static readonly string Topology = Path.Combine(RepositoryPaths.Root, "topologies", "three-nodes.yaml");

    [Fact]
    public async Task Without_its_settings_it_exits_2_naming_each_missing_key_on_a_line_of_its_own()
    {
        await using var sink = ServiceProcess.Start("Skylark.Events.StateSink", new Dictionary<string, string> { ["SKYLARK_NODE"] = "edge" });

        var code = await sink.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        Assert.Equal(
            [
                "statesink: --redis (SKYLARK_REDIS) is required.",
                "statesink: --topology (SKYLARK_TOPOLOGY) is required.",
                "statesink: SKYLARK_PEER_TOKEN is required (or name a file with --peer-token-file).",
            ],
            sink.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task It_is_alive_ready_while_its_redis_answers_not_ready_when_it_dies_and_stops_on_SIGTERM()
    {
        var redis = await RedisServer.StartAsync();
        await using var sink = ServiceProcess.Start("Skylark.Events.StateSink", new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "edge",
            ["SKYLARK_REDIS"] = redis.Configuration,
            ["SKYLARK_REDIS_PASSWORD"] = redis.Password,
            ["SKYLARK_TOPOLOGY"] = Topology,
            ["SKYLARK_PEER_TOKEN"] = "peer-secret",
            ["SKYLARK_SHUTDOWN_GRACE"] = "5s",
        });
        using var client = new HttpClient { BaseAddress = await sink.ListeningAsync() };

        using var alive = await client.GetAsync("/healthz");
        using var ready = await client.GetAsync("/readyz");
        var metrics = await client.GetStringAsync("/metrics");
        await redis.DisposeAsync();
        using var notReady = await client.GetAsync("/readyz");
        using var stillAlive = await client.GetAsync("/healthz");
        var code = await sink.TerminateAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (alive.StatusCode, ready.StatusCode));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.StartsWith("not ready\nredis: Redis of node 'edge' does not answer PING", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stillAlive.StatusCode);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task With_the_kubernetes_source_bad_settings_exit_2_each_named_on_a_line_of_its_own()
    {
        await using var sink = ServiceProcess.Start("Skylark.Events.StateSink", new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "sat-1",
            ["SKYLARK_REDIS"] = "127.0.0.1:6379",
            ["SKYLARK_PEER_TOKEN"] = "peer-secret",
            ["SKYLARK_TOPOLOGY_SOURCE"] = "kubernetes",
            ["SKYLARK_TOPOLOGY_REFRESH"] = "0s",
            ["SKYLARK_SINK_NAMESPACE"] = "Skylark",
            ["SKYLARK_SINK_SELECTOR"] = "app=statesink,,tier",
            ["SKYLARK_SINKS"] = "cloud-1=http://10.0.0.1:8080",
        });

        var code = await sink.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        var lines = sink.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "statesink: --topology-refresh (SKYLARK_TOPOLOGY_REFRESH) must be a duration such as 500ms, 30s or 5m, from 1s to 1h; got '0s'.",
                "statesink: --sink-namespace (SKYLARK_SINK_NAMESPACE) must be a namespace name (lower-case letters, digits and '-', at most 63 characters); got 'Skylark'.",
                "statesink: --sink-selector (SKYLARK_SINK_SELECTOR) must be a label selector such as app=statesink; 'app=statesink,,tier' has an empty requirement (two commas in a row, or one at an end).",
                "statesink: --sinks (SKYLARK_SINKS) names peers, but with --topology-source kubernetes they come from the StateSink pods in the API; leave it out.",
            ],
            lines[..4]);

        // Outside a pod without a kubeconfig there is no API to read (a test run inside a pod has a service account).
        if (!k8s.KubernetesClientConfiguration.IsInCluster())
        {
            Assert.StartsWith(
                "statesink: --kubeconfig (SKYLARK_KUBECONFIG) is required with --topology-source kubernetes outside a cluster: this process is not in a Kubernetes pod",
                Assert.Single(lines[4..]),
                StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_the_kubernetes_source_and_a_kubeconfig_it_becomes_ready_once_the_topology_has_loaded()
    {
        using var scratch = new ScratchDirectory();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        await using var redis = await RedisServer.StartAsync();
        await using var sink = ServiceProcess.Start("Skylark.Events.StateSink", new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "sat-1",
            ["SKYLARK_REDIS"] = redis.Configuration,
            ["SKYLARK_REDIS_PASSWORD"] = redis.Password,
            ["SKYLARK_PEER_TOKEN"] = "peer-secret",
            ["SKYLARK_TOPOLOGY_SOURCE"] = "kubernetes",
            ["SKYLARK_KUBECONFIG"] = api.WriteKubeconfig(scratch.Path),
        });
        using var client = new HttpClient { BaseAddress = await sink.ListeningAsync() };

        await ClockedWaits.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "the sink is ready");
        var status = await client.GetStringAsync("/status");
        var code = await sink.TerminateAsync();

        Assert.Contains("\"topology\":\"kubernetes\"", status, StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r.Path == FakeKubernetesApi.PodsPath);
        Assert.Equal(0, code);
    }
}
