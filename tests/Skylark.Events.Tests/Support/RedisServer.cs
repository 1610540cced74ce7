using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
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
    private const int StartAttempts = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<RedisServer, byte> Running = new();

    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private string? _directory;

    static RedisServer()
    {
        // Backstop for test runs that end without disposing (crash, abort): never leave a redis-server behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in Running.Keys)
            {
                server.Kill();
            }
        };
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary><c>host:port</c>, as <see cref="StateOptions.Configuration"/> expects.</summary>
    public string Configuration => $"{Host}:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
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

    public async Task InitializeAsync()
    {
        var executable = FindExecutable();
        _directory = Directory.CreateTempSubdirectory("skylark-redis-").FullName;
        string? lastFailure = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            // Another process may take the port between probing and binding; then redis-server exits and we retry.
            Port = FreeLoopbackPort();
            _process = StartProcess(executable);
            Running.TryAdd(this, 0);
            lastFailure = await WaitUntilReadyAsync(_process);
            if (lastFailure is null)
            {
                return;
            }

            Kill();
        }

        throw new InvalidOperationException(
            $"redis-server did not start after {StartAttempts} attempts: {lastFailure}\nLast output:\n{string.Join('\n', _output)}");
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
        var process = _process;
        Kill();
        if (process is not null)
        {
            using var timeout = new CancellationTokenSource(ReadyTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed but not reaped in time; the OS reaps it when we exit.
            }

            process.Dispose();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private Process StartProcess(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", Password,
            "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no",
            "--dir", _directory!, "--logfile", "",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <returns>Null when the server answers PING; otherwise why it is not ready.</returns>
    private async Task<string?> WaitUntilReadyAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        string failure = "no answer yet";
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                return $"redis-server exited with code {process.ExitCode}";
            }

            try
            {
                await using var connection = await RespConnection.ConnectAsync(Port);
                await connection.SendAsync("AUTH", Password);
                if (await connection.SendAsync("PING") is "PONG")
                {
                    return null;
                }
            }
            catch (Exception error) when (error is SocketException or IOException or RespErrorException)
            {
                failure = error.Message;
            }

            await Task.Delay(20);
        }

        return $"no PONG within {ReadyTimeout} ({failure})";
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 50 && _output.TryDequeue(out _))
        {
        }
    }

    private void Kill()
    {
        Running.TryRemove(this, out _);
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("SKYLARK_REDIS_SERVER") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"SKYLARK_REDIS_SERVER points to '{configured}', which does not exist.");
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]);
        return directories.Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "redis-server was not found on PATH. The state tests need a real Redis: install the Debian package " +
                "'redis-server' (./skylark test installs it) or set SKYLARK_REDIS_SERVER to its path.");
    }
}
