using System.Net;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Hosting;

/// <summary>Each deployable run as its own process, configured only by its environment, as a pod runs it.</summary>
[Collection(RedisCollection.Name)]
public sealed class DeployableProcessTests(RedisServer redis)
{
    public static TheoryData<string, string, string[]> Misconfigured => new()
    {
        { "Skylark.Events.Broker", "broker", ["--eventing (SKYLARK_EVENTING) is required: the Broker, Trigger and PingSource YAML to serve."] },
        { "Skylark.Events.Predictor", "predictor", ["--policy (SKYLARK_POLICY) must be one of predictive, databelt; got 'psychic'."] },
        { "Skylark.Events.Functions.Preprocess", "preprocess", ["--node (SKYLARK_NODE) is required.", "--redis (SKYLARK_REDIS) is required."] },
        { "Skylark.Events.Functions.Detect", "detect", ["--node (SKYLARK_NODE) is required.", "--redis (SKYLARK_REDIS) is required."] },
        { "Skylark.Events.Functions.Alarm", "alarm", ["--node (SKYLARK_NODE) is required.", "--redis (SKYLARK_REDIS) is required."] },
    };

    [Theory]
    [MemberData(nameof(Misconfigured))]
    public async Task A_missing_or_bad_setting_exits_2_with_one_line_per_problem(string assembly, string service, string[] problems)
    {
        await using var process = ServiceProcess.Start(assembly, new Dictionary<string, string> { ["SKYLARK_POLICY"] = "psychic" });

        var code = await process.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        Assert.Equal(problems.Select(p => $"{service}: {p}"), Lines(process.StandardError));
    }

    [Fact]
    public async Task A_secret_on_the_command_line_exits_2_without_echoing_it()
    {
        await using var process = ServiceProcess.Start(
            "Skylark.Events.Functions.Detect",
            new Dictionary<string, string> { ["SKYLARK_NODE"] = "sat-1", ["SKYLARK_REDIS"] = redis.Configuration },
            "--redis-password", "hunter2");

        var code = await process.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        Assert.Equal(["detect: SKYLARK_REDIS_PASSWORD is a secret and is never read from the command line; set SKYLARK_REDIS_PASSWORD or name a file with --redis-password-file."], Lines(process.StandardError));
    }

    public static TheoryData<string, Dictionary<string, string>> Configured => new()
    {
        { "Skylark.Events.Broker", new() { ["SKYLARK_EVENTING"] = RepositoryPaths.InRoot("eventing") } },
        {
            "Skylark.Events.Predictor",
            new() { ["SKYLARK_EVENTING"] = RepositoryPaths.InRoot("eventing"), ["SKYLARK_TOPOLOGY"] = RepositoryPaths.InRoot("topologies", "three-nodes.yaml") }
        },
        { "Skylark.Events.Functions.Preprocess", new() { ["SKYLARK_NODE"] = "edge" } },
    };

    [Theory]
    [MemberData(nameof(Configured))]
    public async Task Configured_by_its_environment_it_is_alive_ready_serves_Prometheus_metrics_and_stops_on_SIGTERM(string assembly, Dictionary<string, string> environment)
    {
        if (environment.ContainsKey("SKYLARK_NODE"))
        {
            environment["SKYLARK_REDIS"] = redis.Configuration;
            environment["SKYLARK_REDIS_PASSWORD"] = redis.Password;
        }

        await using var process = ServiceProcess.Start(assembly, environment);
        using var client = new HttpClient { BaseAddress = await process.ListeningAsync() };

        using var alive = await client.GetAsync("/healthz");
        using var ready = await client.GetAsync("/readyz");
        var metrics = await client.GetStringAsync("/metrics");
        var code = await process.TerminateAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (alive.StatusCode, ready.StatusCode));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
