using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.State.Functions;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Hosting;

[Collection(RedisCollection.Name)]
public sealed class FunctionHostingTests(RedisServer redis)
{
    [Fact]
    public async Task A_function_built_like_its_program_serves_events_at_the_root_its_status_liveness_and_readiness()
    {
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("redis-password"), redis.Password);
        string[] args = ["--node", "edge-7", "--redis", redis.Configuration, "--redis-password-file", scratch.File("redis-password"), "--key-prefix", RedisServer.NewKeyPrefix()];
        var builder = SkylarkService.CreateBuilder("preprocess", args);
        builder.Logging.ClearProviders();
        builder.Services.AddSkylarkState(builder.Configuration).AddPreprocessFunction();
        await using var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapPreprocessFunction();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        using var client = new FunctionClient(address);

        using var health = await client.GetAsync("/healthz");
        using var status = await client.GetAsync("/status");
        using var ready = await client.GetAsync("/readyz");
        var frame = await TestCamera.CaptureAsync(app.Services.GetRequiredService<BundleStore>(), "cam-1", 0);
        var reply = await client.PostAsync("/", frame);

        Assert.Equal((HttpStatusCode.OK, "ok"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ok"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        var function = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("ok", "preprocess", "edge-7"), (function.GetProperty("status").GetString(), function.GetProperty("function").GetString(), function.GetProperty("node").GetString()));
        Assert.Equal("edge-7/cam-1-000000/preprocess.frame", reply.Extension("statekey"));
        await app.StopAsync();
    }

    [Fact]
    public void Node_and_redis_come_from_the_command_line_and_absent_ones_keep_their_defaults()
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine(["--node", "sat-2", "--redis", "10.0.0.5:6390"])
            .Build();
        var options = new StateOptions();

        StateSettings.Read(configuration)(options);

        Assert.Equal(("sat-2", "10.0.0.5:6390", null, BundleKeys.DefaultPrefix), (options.Node, options.Configuration, options.Password, options.KeyPrefix));
    }

    [Fact]
    public void The_redis_password_is_refused_on_the_command_line()
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine(["--node", "sat-2", "--redis", "10.0.0.5:6390", "--redis-password", "secret"])
            .Build();

        var error = Assert.Throws<ServiceConfigurationException>(() => StateSettings.Read(configuration));

        Assert.Equal("SKYLARK_REDIS_PASSWORD is a secret and is never read from the command line; set SKYLARK_REDIS_PASSWORD or name a file with --redis-password-file.", error.Message);
    }

    [Fact]
    public void Password_and_key_prefix_spelled_with_underscores_as_environment_variables_are_read_too()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["NODE"] = "edge-1", ["REDIS"] = "127.0.0.1:1", ["REDIS_PASSWORD"] = "from-env", ["KEY_PREFIX"] = "site-a" })
            .Build();
        var options = new StateOptions();

        StateSettings.Read(configuration)(options);

        Assert.Equal(("from-env", "site-a"), (options.Password, options.KeyPrefix));
    }

    [Theory]
    [InlineData("detect.v2", "edge-1", "Function name")]
    [InlineData("detect", "edge/1", "Node 'edge/1'")]
    public void Function_options_refuse_names_that_could_not_scope_bundles_or_form_state_refs(string function, string node, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new FunctionOptions(function, node));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runtime_whose_node_differs_from_its_store_is_refused()
    {
        var state = redis.StateOptions("edge-1");
        using var connection = StackExchange.Redis.ConnectionMultiplexer.Connect(redis.ClientConfiguration());
        var store = new BundleStore(connection, state);

        var error = Assert.Throws<ArgumentException>(() => new FunctionRuntime(
            new FunctionOptions("detect", "sat-1"),
            store,
            new TieredStateReader(store, new InFlightPulls(), new StateReadMetrics(), null, state),
            new StateReadMetrics(),
            canPull: false,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<FunctionRuntime>.Instance));

        Assert.Contains("node 'sat-1' but its state store is node 'edge-1'", error.Message, StringComparison.Ordinal);
    }
}
