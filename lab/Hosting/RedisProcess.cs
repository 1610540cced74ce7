using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// A <c>redis-server</c> child process on 127.0.0.1 with a password (and confined ACL users, when given) and no persistence (unless asked for) — one per
/// emulated node in <c>skylark up</c>, and the real Redis behind the tests. The password goes in on standard input,
/// never on the command line, where anyone on the machine could read it. Killed on dispose, and at process exit as a
/// backstop.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private const int StartAttempts = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<RedisProcess, byte> Running = new();

    private readonly ConcurrentQueue<string> output = new();
    private readonly string directory;
    private IReadOnlyList<string> arguments = [];
    private string? executable;
    private Process? process;

    static RedisProcess()
    {
        // A host that ends without disposing (crash, unhandled exception) must not leave redis-servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var redis in Running.Keys)
            {
                redis.Kill();
            }
        };
    }

    private RedisProcess(string name, string password, string directory, IReadOnlyList<RedisUser> users)
    {
        Name = name;
        Password = password;
        this.directory = directory;
        Users = users.ToDictionary(u => u.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The <c>default</c> user's password: every permission, for the lab itself (CLI, tests, readiness probe).</summary>
    public string Password { get; }

    /// <summary>The confined ACL users the server was started with, by name.</summary>
    public IReadOnlyDictionary<string, RedisUser> Users { get; }

    /// <summary><c>host:port</c>, the form StackExchange.Redis and StateOptions take.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The process id, so callers can check it is gone after dispose.</summary>
    public int? ProcessId => process is { HasExited: false } p ? p.Id : null;

    /// <param name="name">For messages (e.g. the node name).</param>
    /// <param name="port">0 for a free port.</param>
    /// <param name="extraArguments">More redis-server options, e.g. <c>--maxmemory 256mb</c>.</param>
    /// <param name="users">ACL users besides <c>default</c>, given on standard input like the password.</param>
    /// <param name="cancellationToken">Stops waiting for the server to answer.</param>
    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    public static async Task<RedisProcess> StartAsync(
        string name,
        int port = 0,
        IReadOnlyList<string>? extraArguments = null,
        IReadOnlyList<RedisUser>? users = null,
        CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var redis = new RedisProcess(name, password, Directory.CreateTempSubdirectory("skylark-redis-").FullName, users ?? []);
        try
        {
            redis.executable = executable;
            redis.arguments = extraArguments ?? [];
            await redis.LaunchUntilReadyAsync(executable, port, redis.arguments, cancellationToken);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes when the server process ends, for whatever reason.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) =>
        process?.WaitForExitAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>How the server ended, for a log line; null while it runs.</summary>
    public string? ExitDescription => process is { HasExited: true } ended ? $"redis-server exited with code {ended.ExitCode}" : null;

    /// <summary>
    /// Starts the server again on the same port with the same password and folder, after it ended: clients reconnect
    /// to the address they know, and a server started with <c>--appendonly yes</c> reloads what it had written.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var previous = process;
        Kill();
        if (previous is not null)
        {
            // A killed server holds its port until it is gone; the new one binds the same port.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadyTimeout);
            await previous.WaitForExitAsync(timeout.Token);
            previous.Dispose();
        }

        await LaunchUntilReadyAsync(executable!, Port, arguments, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        var running = process;
        Kill();
        if (running is not null)
        {
            using var timeout = new CancellationTokenSource(ReadyTimeout);
            try
            {
                await running.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed but not reaped in time; the OS reaps it when we exit.
            }

            running.Dispose();
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task LaunchUntilReadyAsync(string executable, int requestedPort, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
    {
        string? lastFailure = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            // Another process may take a probed port before redis binds it; then redis exits and we try another.
            Port = requestedPort != 0 ? requestedPort : FreeLoopbackPort();
            process = Launch(executable, extraArguments);
            Running.TryAdd(this, 0);
            lastFailure = await WaitUntilReadyAsync(process, cancellationToken);
            if (lastFailure is null)
            {
                return;
            }

            Kill();
            if (requestedPort != 0)
            {
                break;
            }
        }

        throw new InvalidOperationException(
            $"redis-server for {Name} did not start: {lastFailure}{Environment.NewLine}Last output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
    }

    private Process Launch(string executable, IReadOnlyList<string> extraArguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };

        // "-" reads a configuration file from standard input before the arguments: that is where the password goes.
        string[] arguments =
        [
            "-", "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no",
            "--dir", directory, "--logfile", "",
        ];
        foreach (var argument in arguments.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var started = new Process { StartInfo = start };
        started.OutputDataReceived += (_, e) => Remember(e.Data);
        started.ErrorDataReceived += (_, e) => Remember(e.Data);
        started.Start();
        var configuration = new StringBuilder($"requirepass {Password}\n");
        foreach (var user in Users.Values)
        {
            configuration.Append(user.ConfigLine).Append('\n');
        }

        started.StandardInput.Write(configuration.ToString());
        started.StandardInput.Close();
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return started;
    }

    /// <returns>Null once the server answers an authenticated PING; otherwise why it is not ready.</returns>
    private async Task<string?> WaitUntilReadyAsync(Process started, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var failure = "no answer yet";
        while (clock.Elapsed < ReadyTimeout)
        {
            if (started.HasExited)
            {
                return $"redis-server exited with code {started.ExitCode}";
            }

            try
            {
                if (await PingAsync(cancellationToken))
                {
                    return null;
                }
            }
            catch (Exception error) when (error is SocketException or IOException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failure = error.Message;
            }

            await Task.Delay(20, cancellationToken);
        }

        return $"no PONG within {ReadyTimeout.TotalSeconds:F0} s ({failure})";
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        var command = Encoding.ASCII.GetBytes($"AUTH {Password}\r\nPING\r\n");
        await stream.WriteAsync(command, cancellationToken);
        var buffer = new byte[64];
        var received = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        // Two replies, AUTH's and PING's; while the server loads its data both are -LOADING, so not ready yet.
        while (received.ToString().Split("\r\n").Length < 3)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString().Contains("+PONG", StringComparison.Ordinal);
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 50 && output.TryDequeue(out _))
        {
        }
    }

    private void Kill()
    {
        Running.TryRemove(this, out _);
        try
        {
            if (process is { HasExited: false } running)
            {
                running.Kill(entireProcessTree: true);
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
                : throw new RedisServerNotFoundException($"SKYLARK_REDIS_SERVER points to '{configured}', which does not exist.");
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]);
        return directories.Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new RedisServerNotFoundException(
                "redis-server was not found on PATH. Install the Debian package: apt-get install -y redis-server " +
                "(./skylark does this when run as root), or set SKYLARK_REDIS_SERVER to its path.");
    }
}

/// <summary>redis-server is not installed; the message says how to install it.</summary>
public sealed class RedisServerNotFoundException : Exception
{
    public RedisServerNotFoundException(string message)
        : base(message)
    {
    }

    public RedisServerNotFoundException()
    {
    }

    public RedisServerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
