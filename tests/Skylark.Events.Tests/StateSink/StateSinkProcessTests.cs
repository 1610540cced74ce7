using System.Net;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

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
}
