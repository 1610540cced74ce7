using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Functions;

/// <summary>
/// The three functions of one node in one real Kestrel app on 127.0.0.1 (POST /preprocess, /detect, /alarm), on that
/// node's real redis-server, as the in-process host runs them. Optional: a puller to other nodes, a clock, a publisher.
/// </summary>
internal sealed class FunctionNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FunctionNode(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new FunctionClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    public FunctionClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>This node's unrestricted store, for arranging and inspecting state as a camera or operator would.</summary>
    public BundleStore Store => _app.Services.GetRequiredService<BundleStore>();

    public string Node => Store.Node;

    public static Task<FunctionNode> StartAsync(RedisNode node, string keyPrefix, Action<FunctionNodeSetup>? setup = null) =>
        StartAsync(node.Options(keyPrefix), node.Redis, setup);

    /// <summary>With <paramref name="redis"/> null, the state library opens its own connection from <paramref name="state"/>.</summary>
    public static async Task<FunctionNode> StartAsync(StateOptions state, IConnectionMultiplexer? redis, Action<FunctionNodeSetup>? setup = null)
    {
        var options = new FunctionNodeSetup();
        setup?.Invoke(options);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (redis is not null)
        {
            // Shared with the fixture, which disposes it; the container does not dispose instances it was given.
            builder.Services.AddSingleton(redis);
        }

        if (options.Puller is not null)
        {
            builder.Services.AddSingleton(options.Puller);
        }

        if (options.Time is not null)
        {
            builder.Services.AddSingleton(options.Time);
        }

        if (options.Publisher is not null)
        {
            builder.Services.AddSingleton(options.Publisher);
        }

        builder.Services.AddSkylarkState(o =>
        {
            o.Configuration = state.Configuration;
            o.Password = state.Password;
            o.Node = state.Node;
            o.KeyPrefix = state.KeyPrefix;
        });
        builder.Services.AddPreprocessFunction();
        builder.Services.AddDetectFunction();
        builder.Services.AddAlarmFunction();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapPreprocessFunction("/preprocess");
        app.MapDetectFunction("/detect");
        app.MapAlarmFunction("/alarm");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new FunctionNode(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed class FunctionNodeSetup
{
    public IBundlePuller? Puller { get; set; }

    public TimeProvider? Time { get; set; }

    public IAlarmPublisher? Publisher { get; set; }
}
