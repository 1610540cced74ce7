using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A real Debian <c>mosquitto</c> broker on a free loopback port with a temporary config (no persistence; anonymous,
/// or one user when <see cref="StartAsync(string?, string?)"/> is given credentials, or the users and topic rules of
/// an <see cref="MqttAccessList"/> written by <see cref="MosquittoFiles"/>), killed on dispose.
/// Use it as a class fixture (<see cref="IAsyncLifetime"/>) or directly with <c>await using</c>.
/// </summary>
public sealed class Mosquitto : IAsyncLifetime, IAsyncDisposable
{
    private const int StartAttempts = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<Mosquitto, byte> Running = new();

    private readonly ConcurrentQueue<string> _output = new();
    private readonly string? _userName;
    private readonly string? _password;
    private readonly MqttAccessList? _access;
    private Process? _process;
    private string? _directory;

    static Mosquitto()
    {
        // Backstop for runs that end without disposing: never leave a broker behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var broker in Running.Keys)
            {
                broker.Kill();
            }
        };
    }

    public Mosquitto()
    {
    }

    private Mosquitto(string? userName, string? password)
    {
        _userName = userName;
        _password = password;
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>How our clients reach this broker (with the credentials it was started with).</summary>
    public MqttConnection Connection => new(Host, Port, useTls: false, _userName, _password);

    /// <summary>The broker's recent log lines, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    private Mosquitto(MqttAccessList access)
    {
        _access = access;
    }

    public static Task<Mosquitto> StartAsync(string? userName = null, string? password = null) => StartAsync(new Mosquitto(userName, password));

    /// <summary>A broker enforcing <paramref name="access"/>: its password file and ACL file as <see cref="MosquittoFiles"/> writes them.</summary>
    public static Task<Mosquitto> StartAsync(MqttAccessList access) => StartAsync(new Mosquitto(access));

    private static async Task<Mosquitto> StartAsync(Mosquitto broker)
    {
        try
        {
            await broker.InitializeAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        var executable = FindExecutable();
        _directory = Directory.CreateTempSubdirectory("skylark-mosquitto-").FullName;
        string? passwordFile = null;
        string? aclFile = null;
        if (_access is not null)
        {
            passwordFile = Path.Combine(_directory, "passwd");
            aclFile = Path.Combine(_directory, "acl");
            await MosquittoFiles.WriteAsync(_access, passwordFile, aclFile);
        }
        else if (_userName is not null)
        {
            passwordFile = Path.Combine(_directory, "passwd");
            await RunPasswdAsync(passwordFile, _userName, _password ?? "");

            // Started as root, mosquitto drops to its own user before it reads the password file.
            if (!OperatingSystem.IsWindows())
            {
                AllowOthersToRead(_directory, passwordFile);
            }
        }

        string? lastFailure = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            // Another process may take the port between probing and binding; mosquitto then exits and we retry.
            Port = FreeLoopbackPort();
            var config = Path.Combine(_directory, "mosquitto.conf");
            await File.WriteAllLinesAsync(config, ConfigLines(passwordFile, aclFile));
            _process = StartProcess(executable, config);
            Running.TryAdd(this, 0);
            lastFailure = await WaitUntilListeningAsync(_process);
            if (lastFailure is null)
            {
                return;
            }

            Kill();
        }

        throw new InvalidOperationException($"mosquitto did not start after {StartAttempts} attempts: {lastFailure}\nLast output:\n{RecentOutput}");
    }

    /// <summary>Kills the broker, keeping its port and configuration for <see cref="RestartAsync"/>: a broker that is down.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        Kill();
        _process = null;
        if (process is not null)
        {
            using var timeout = new CancellationTokenSource(ReadyTimeout);
            await process.WaitForExitAsync(timeout.Token);
            process.Dispose();
        }
    }

    /// <summary>Kills the broker and starts it again on the same port, as a broker crash and restart would (no session survives).</summary>
    public async Task RestartAsync()
    {
        var process = _process;
        Kill();
        if (process is not null)
        {
            using var timeout = new CancellationTokenSource(ReadyTimeout);
            await process.WaitForExitAsync(timeout.Token);
            process.Dispose();
        }

        _process = StartProcess(FindExecutable(), Path.Combine(_directory!, "mosquitto.conf"));
        Running.TryAdd(this, 0);
        if (await WaitUntilListeningAsync(_process) is { } failure)
        {
            throw new InvalidOperationException($"mosquitto did not restart on port {Port}: {failure}\nLast output:\n{RecentOutput}");
        }
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

    private IEnumerable<string> ConfigLines(string? passwordFile, string? aclFile)
    {
        yield return "per_listener_settings false";
        yield return string.Create(CultureInfo.InvariantCulture, $"listener {Port} {Host}");
        yield return "persistence false";
        yield return "log_dest stderr";
        yield return "log_type error";
        yield return "log_type warning";
        yield return "log_type notice";
        yield return "max_inflight_messages 20";
        if (passwordFile is null)
        {
            yield return "allow_anonymous true";
        }
        else
        {
            yield return "allow_anonymous false";
            yield return $"password_file {passwordFile}";
        }

        if (aclFile is not null)
        {
            yield return $"acl_file {aclFile}";

            // The files are 0600: started as root, mosquitto must stay root to read them (it ignores 'user' otherwise).
            yield return $"user {Environment.UserName}";
        }
    }

    private Process StartProcess(string executable, string config)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <returns>Null once the port accepts connections; otherwise why not.</returns>
    private async Task<string?> WaitUntilListeningAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        var failure = "no answer yet";
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                return $"mosquitto exited with code {process.ExitCode}";
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return null;
            }
            catch (SocketException error)
            {
                failure = error.Message;
            }

            await Task.Delay(20);
        }

        return $"port {Port} not accepting within {ReadyTimeout} ({failure})";
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AllowOthersToRead(string directory, string file)
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(directory, Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(file, Readable);
    }

    private static async Task RunPasswdAsync(string file, string userName, string password)
    {
        var start = new ProcessStartInfo(FindExecutable("mosquitto_passwd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-b", "-c", file, userName, password })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_passwd failed with code {process.ExitCode}: {await error}");
        }
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

    private static string FindExecutable(string name = "mosquitto")
    {
        if (name == "mosquitto" && Environment.GetEnvironmentVariable("SKYLARK_MOSQUITTO") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"SKYLARK_MOSQUITTO points to '{configured}', which does not exist.");
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} was not found. The MQTT interop tests need a real broker: install the Debian package 'mosquitto' " +
                "(./skylark test installs it) or set SKYLARK_MOSQUITTO to its path.");
    }
}
