using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// One deployable run as its own OS process from its own Program (<c>dotnet Skylark.Events.X.dll</c>, built next to
/// this host), with only what a pod would get: its environment and a loopback address to listen on. Nothing of this
/// process's own <c>SKYLARK_*</c>, <c>K_SINK</c>, <c>PORT</c> or <c>KUBECONFIG</c> leaks into it. Its output is
/// appended to a log file; it is stopped with SIGTERM and, after the grace period, SIGKILL.
/// </summary>
public sealed class DeployableProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(100);
    private static readonly ConcurrentDictionary<DeployableProcess, byte> Running = new();

    static DeployableProcess()
    {
        // A host that ends without stopping its processes (a crash, an unhandled exception) must not leave them behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var deployable in Running.Keys)
            {
                try
                {
                    deployable._process?.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    private readonly string _assemblyPath;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private Process? _process;

    private DeployableProcess(string name, string assembly, IReadOnlyDictionary<string, string> environment, int port, string logPath)
    {
        Name = name;
        _assemblyPath = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        _environment = environment;
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        LogPath = logPath;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    /// <summary>The instance's name, e.g. <c>statesink-edge</c>.</summary>
    public string Name { get; }

    public Uri Url { get; }

    public string LogPath { get; }

    /// <summary>The running process's id; null before the start and after it ended.</summary>
    public int? ProcessId => _process is { HasExited: false } running ? running.Id : null;

    /// <summary>How the process ended, for a log line; null while it runs.</summary>
    public string? ExitDescription => _process is { HasExited: true } ended ? $"exited with code {ended.ExitCode}" : null;

    /// <param name="name">The instance's name, for logs.</param>
    /// <param name="assembly">The deployable's assembly, e.g. <c>Skylark.Events.StateSink</c>.</param>
    /// <param name="environment">Its whole environment of settings (docs/configuration.md), secrets included: never its command line.</param>
    /// <param name="port">The loopback port it listens on, chosen before it starts so its peers can be told.</param>
    /// <param name="logDirectory">Where its output is appended, as <c>&lt;name&gt;.log</c>.</param>
    /// <exception cref="FileNotFoundException">The deployable is not built next to this host.</exception>
    public static DeployableProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> environment, int port, string logDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(assembly);
        ArgumentNullException.ThrowIfNull(environment);
        Directory.CreateDirectory(logDirectory);
        var deployable = new DeployableProcess(name, assembly, environment, port, Path.Combine(logDirectory, name + ".log"));
        if (!File.Exists(deployable._assemblyPath))
        {
            throw new FileNotFoundException($"The {name} deployable is not built next to this host: {deployable._assemblyPath}.", deployable._assemblyPath);
        }

        deployable.Launch();
        return deployable;
    }

    /// <summary>Completes when the process ends, for whatever reason.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) =>
        _process?.WaitForExitAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Starts the process again, with the same environment and port, after it ended.</summary>
    public void Restart()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is still running.");
        }

        _process?.Dispose();
        Launch();
    }

    /// <summary>Waits until <c>/readyz</c> answers 200: the process listens and its dependencies answer.</summary>
    /// <exception cref="TimeoutException">Not ready within <paramref name="bound"/>; the message carries the end of its log.</exception>
    public async Task WaitUntilReadyAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < bound)
        {
            if (ExitDescription is { } exit)
            {
                throw new TimeoutException($"{Name} {exit} before it was ready. End of {LogPath}:{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await _probe.GetAsync(new Uri(Url, "readyz"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim()}";
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = error.Message;
            }

            await Task.Delay(ReadyPoll, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{Name} was not ready within {bound.TotalSeconds:F0} s ({last}). End of {LogPath}:{Environment.NewLine}{LogTail()}");
    }

    /// <summary>SIGTERM, then SIGKILL when the process has not ended within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process is not { } running || running.HasExited)
        {
            return;
        }

        ProcessSignals.Terminate(running);
        try
        {
            await running.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Write($"[skylark up] {Name} did not end within {grace.TotalSeconds:F0} s of SIGTERM; sending SIGKILL");
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Running.TryRemove(this, out _);
        _process?.Dispose();
        _probe.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }
    }

    private void Launch()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(_assemblyPath);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Url.GetLeftPart(UriPartial.Authority));
        foreach (var inherited in start.Environment.Keys.Where(IsPodSetting).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Write(line.Data);
        process.ErrorDataReceived += (_, line) => Write(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running.TryAdd(this, 0);
    }

    private static bool IsPodSetting(string key) =>
        key.StartsWith("SKYLARK_", StringComparison.Ordinal) || key is "K_SINK" or "K_CE_OVERRIDES" or "PORT" or "KUBECONFIG" or "ASPNETCORE_URLS";

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log.WriteLine(line);
        }
    }

    private string LogTail()
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var lines = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > 20)
                {
                    lines.Dequeue();
                }
            }

            return string.Join(Environment.NewLine, lines);
        }
        catch (IOException error)
        {
            return $"(the log could not be read: {error.Message})";
        }
    }
}
