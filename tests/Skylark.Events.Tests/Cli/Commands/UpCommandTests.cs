using System.Diagnostics;
using System.Globalization;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary><c>skylark up</c> run as a user runs it: the <c>skylark</c> host as its own process.</summary>
[Collection(EmulatedClusters.Name)]
public sealed class UpCommandTests
{
    [Fact]
    public async Task Up_with_processes_runs_one_os_process_per_service_instance_and_leaves_nothing_running_after_sigterm()
    {
        using var work = new ScratchDirectory();
        var endpointsFile = Path.Combine(work.Path, "endpoints.json");
        using var up = StartUp(work.Path, "up", "--processes", "--topology", RepositoryPaths.InRoot("topologies", "three-nodes.yaml"), "--endpoints-file", endpointsFile, "--work-dir", work.Path);
        try
        {
            await Poll.UntilAsync(() => File.Exists(endpointsFile) || up.HasExited, "the endpoints file is written", TimeSpan.FromSeconds(120));
            Assert.False(up.HasExited, $"skylark up exited with {(up.HasExited ? up.ExitCode : 0)}");
            var children = Children(up.Id);

            // Three nodes: a StateSink each, preprocess, detect, alarm, camera ingest on edge; the broker, the
            // Predictor and the dead-letter sink on the cloud. And a redis-server per node.
            Assert.Equal(10, children.Count(c => c.Command.Contains("Skylark.Events.", StringComparison.Ordinal)));
            Assert.Equal(3, children.Count(c => c.Command.StartsWith("redis-server", StringComparison.Ordinal)));
            var endpoints = await EndpointsFile.ReadAsync(endpointsFile, CancellationToken.None);
            var secrets = endpoints.Nodes.Values.Select(n => n.RedisPassword).ToList();
            Assert.DoesNotContain(children, c => secrets.Any(secret => c.Command.Contains(secret, StringComparison.Ordinal)));
            await UpScenarios.A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(endpoints, "wf-up-command");

            ProcessSignals.Terminate(up);
            await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

            Assert.Equal(0, up.ExitCode);
            Assert.All(children, c => Assert.False(IsRunning(c.Pid), $"{c.Command} ({c.Pid}) is still running"));
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Up_on_a_manifests_folder_that_does_not_exist_exits_with_1_and_says_how_to_write_it()
    {
        using var work = new ScratchDirectory();
        var error = new System.Text.StringBuilder();
        using var up = StartUp(work.Path, error, "up", "--topology", RepositoryPaths.InRoot("topologies", "three-nodes.yaml"), "--manifests", work.File("rendered"), "--work-dir", work.Path);

        await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("skylark deploy render --out", error.ToString(), StringComparison.Ordinal);
    }

    private static Process StartUp(string work, params string[] args) => StartUp(work, new System.Text.StringBuilder(), args);

    private static Process StartUp(string work, System.Text.StringBuilder error, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skylark.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SKYLARK_HOME"] = RepositoryPaths.InRoot();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (error)
            {
                error.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The processes whose parent is <paramref name="parent"/>, with their command lines, as <c>ps</c> shows them.</summary>
    private static List<(int Pid, string Command)> Children(int parent)
    {
        var children = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (ppid == parent)
                {
                    var command = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                    children.Add((pid, command.StartsWith("dotnet ", StringComparison.Ordinal) ? command : Path.GetFileName(command.Split(' ')[0]) + command[command.Split(' ')[0].Length..]));
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return children;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
