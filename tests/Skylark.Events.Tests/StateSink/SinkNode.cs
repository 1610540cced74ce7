using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// One node's StateSink on real Kestrel (127.0.0.1, port 0) over the node's real redis-server, hosted exactly as
/// Program.cs does (AddSkylarkState + AddStateSink + MapStateSink). A <see cref="PeerGate"/> can hold its peer API so
/// tests can observe pulls in flight.
/// </summary>
public sealed class SinkNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private SinkNode(string name, WebApplication app, Uri baseAddress, PeerGate gate, string peerToken)
    {
        Name = name;
        _app = app;
        BaseAddress = baseAddress;
        Gate = gate;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        PeerClient = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        PeerClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", peerToken);
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public PeerGate Gate { get; }

    /// <summary>Without credentials: CloudEvents, health, metrics.</summary>
    public HttpClient Client { get; }

    /// <summary>With the peer token, as another sink calls it.</summary>
    public HttpClient PeerClient { get; }

    public BundleStore Store => Services.GetRequiredService<BundleStore>();

    public StateSinkMetricsSnapshot Counters => Services.GetRequiredService<StateSinkMetrics>().Snapshot();

    public InFlightPulls InFlight => Services.GetRequiredService<InFlightPulls>();

    public static async Task<SinkNode> StartAsync(
        RedisNode redis,
        string keyPrefix,
        string peerToken,
        ISinkDirectory directory,
        Action<StateSinkOptions> configureSink,
        Action<StateOptions>? configureState = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis.Redis);
        builder.Services.AddSingleton(directory);
        builder.Services.AddSkylarkState(options =>
        {
            var node = redis.Options(keyPrefix);
            options.Configuration = node.Configuration;
            options.Password = node.Password;
            options.Node = node.Node;
            options.KeyPrefix = node.KeyPrefix;
            configureState?.Invoke(options);
        });
        builder.Services.AddStateSink(options =>
        {
            options.PeerToken = peerToken;
            configureSink(options);
        });

        var app = builder.Build();
        var gate = new PeerGate();
        app.Use(gate.Middleware);
        app.MapStateSink();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new SinkNode(redis.Name, app, new Uri(address), gate, peerToken);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Gate.Open();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        PeerClient.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>Holds requests to paths starting with <see cref="PathPrefix"/> until opened; signals when the first arrives.</summary>
public sealed class PeerGate
{
    private TaskCompletionSource? _gate;

    public string PathPrefix { get; private set; } = "/peer";

    public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Held => Volatile.Read(ref _held);

    private int _held;

    public void Close(string pathPrefix = "/peer")
    {
        PathPrefix = pathPrefix;
        Arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open() => _gate?.TrySetResult();

    public async Task Middleware(HttpContext context, Func<Task> next)
    {
        if (_gate is { } gate && context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _held);
            Arrived.TrySetResult();
            await gate.Task;
        }

        await next();
    }
}
