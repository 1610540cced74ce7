using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>
/// The standalone broker (Skylark.Events.Broker.dll, copied beside the tests) running as a child process on
/// 127.0.0.1 with an ephemeral port, so a test can kill it with SIGKILL. Always killed on dispose.
/// </summary>
internal sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private BrokerProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; private set; }

    /// <summary>Everything the broker printed so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Output => [.. output];

    public static async Task<BrokerProcess> StartAsync(string eventingFile, string journalDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Skylark.Events.Broker.dll"),
            "--eventing", eventingFile, "--journal", journalDirectory, "--urls", "http://127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Quiet, except where it listens and what the journal recovered.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__LogLevel__Skylark.Events.Broker.Journal"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var broker = new BrokerProcess(process, new Uri("http://127.0.0.1/"));
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data, listening);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data, listening);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The broker exited early:\n{string.Join('\n', broker.Output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            broker.Url = await listening.Task.WaitAsync(timeout);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no drain, no final flush.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnLine(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
