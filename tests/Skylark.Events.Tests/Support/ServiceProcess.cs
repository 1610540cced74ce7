using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Skylark.Events.Lab.Hosting;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A deployable run as its own OS process from its own Program (<c>dotnet Skylark.Events.X.dll</c>, built next to the
/// tests), with only the environment and arguments given — none of this process's <c>SKYLARK_*</c> variables — as a
/// pod would run it. Listens on a free loopback port; stopped with SIGTERM, then SIGKILL, on dispose.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    public Process Process => _process;

    public string StandardError
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="assembly">The deployable's assembly, e.g. <c>Skylark.Events.StateSink</c>.</param>
    /// <param name="environment">Its whole <c>SKYLARK_*</c> environment (nor does it inherit <c>K_SINK</c>, <c>PORT</c> or <c>KUBECONFIG</c>).</param>
    /// <param name="args">Its command line (a free loopback port is added).</param>
    public static ServiceProcess Start(string assembly, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        foreach (var arg in args.Concat(["--urls", "http://127.0.0.1:0"]))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("SKYLARK_", StringComparison.Ordinal) || k is "K_SINK" or "PORT" or "KUBECONFIG").ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, line) => service.OnOutput(line.Data);
        process.ErrorDataReceived += (_, line) => service.OnError(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The address it listens on, once Kestrel says so.</summary>
    public async Task<Uri> ListeningAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_listening.Task, exited).WaitAsync(Bound);
        if (first != _listening.Task)
        {
            Assert.Fail($"The service exited with {_process.ExitCode} before listening: {StandardError}{StandardOutput}");
        }

        return await _listening.Task;
    }

    /// <summary>The exit code, once the process has ended by itself.</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        ProcessSignals.Terminate(_process);
        return await ExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessSignals.Terminate(_process);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningRegex().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private void OnError(string? line)
    {
        if (line is not null)
        {
            lock (_error)
            {
                _error.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningRegex();
}
