using System.Globalization;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with a random password, no persistence, killed on dispose.
/// Use it directly (<see cref="StartAsync"/>, <c>await using</c>) or share one per test collection through
/// <see cref="RedisCollection"/>, giving each test its own key prefix (<see cref="NewKeyPrefix"/>).
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly IReadOnlyList<string> _arguments;
    private RedisProcess? _process;

    public RedisServer()
        : this([])
    {
    }

    private RedisServer(IReadOnlyList<string> arguments) => _arguments = arguments;

    public string Host => "127.0.0.1";

    public int Port => Process.Port;

    public string Password => Process.Password;

    /// <summary><c>host:port</c>, as <see cref="StateOptions.Configuration"/> expects.</summary>
    public string Configuration => Process.Endpoint;

    /// <summary>The production process wrapper <c>skylark up</c> uses too.</summary>
    public RedisProcess Process => _process ?? throw new InvalidOperationException("The server has not been started.");

    /// <param name="extraArguments">More redis-server options, e.g. <c>--appendonly yes</c> for a server whose data outlives a kill.</param>
    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(extraArguments);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A key prefix no other test uses, so tests can share a server without FLUSHDB.</summary>
    public static string NewKeyPrefix() => "test-" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => _process = await RedisProcess.StartAsync("test", extraArguments: _arguments);

    /// <summary>Ends the server with SIGKILL, as a crash or the OOM killer would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        using (var running = System.Diagnostics.Process.GetProcessById(Process.ProcessId ?? throw new InvalidOperationException("redis-server is not running.")))
        {
            running.Kill();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Starts the server again on the same port, password and folder (reloading its append-only file, if any).</summary>
    public async Task RestartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Process.RestartAsync(timeout.Token);
    }

    /// <summary>StateOptions for a node backed by this server, with a fresh key prefix unless one is given.</summary>
    public StateOptions StateOptions(string node, string? keyPrefix = null) => new()
    {
        Configuration = Configuration,
        Password = Password,
        Node = node,
        KeyPrefix = keyPrefix ?? NewKeyPrefix(),
    };

    /// <summary>Client configuration that fails fast instead of retrying in the background.</summary>
    public ConfigurationOptions ClientConfiguration(string? password = null)
    {
        var configuration = ConfigurationOptions.Parse(Configuration);
        configuration.Password = password ?? Password;
        configuration.AbortOnConnectFail = true;
        configuration.ConnectTimeout = 5000;
        configuration.ConnectRetry = 1;
        return configuration;
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(ClientConfiguration());

    /// <summary>An authenticated raw connection for plumbing (INFO, FLUSHDB, CONFIG).</summary>
    public async Task<RespConnection> OpenRawAsync()
    {
        var connection = await RespConnection.ConnectAsync(Port);
        await connection.SendAsync("AUTH", Password);
        return connection;
    }

    public async Task FlushAsync()
    {
        await using var connection = await OpenRawAsync();
        await connection.SendAsync("FLUSHDB");
    }

    /// <summary>Calls per command since start, from <c>INFO commandstats</c> (e.g. <c>["evalsha"] = 3</c>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CommandCallsAsync()
    {
        await using var connection = await OpenRawAsync();
        var info = (string)(await connection.SendAsync("INFO", "commandstats"))!;
        var calls = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // cmdstat_hgetall:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var stats = line[(colon + 1)..].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
            calls[line["cmdstat_".Length..colon]] = long.Parse(stats["calls"], CultureInfo.InvariantCulture);
        }

        return calls;
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
}
