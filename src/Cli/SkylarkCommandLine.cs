using System.CommandLine;
using Skylark.Events.Cli.Commands;

namespace Skylark.Events.Cli;

/// <summary>Entry point of the <c>skylark</c> host: one command per file under Commands/.</summary>
public static class SkylarkCommandLine
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("Skylark.Events: keep serverless functions' state where they run.");
        foreach (var command in Commands)
        {
            root.Add(command());
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // Ctrl-C / SIGTERM cancel the token System.CommandLine passes to every action, so commands stop what they started.
        return await CreateRootCommand().Parse(args).InvokeAsync();
    }

    private static readonly Func<Command>[] Commands =
    [
        DemoCommand.Create,
        BenchCommand.Create,
        UpCommand.Create,
        DeployCommand.Create,
        StateCommand.Create,
        ReplayCommand.Create,
        JournalCommand.Create,
        FuzzCommand.Create,
        CamerasCommand.Create,
        TraceCommand.Create,
    ];
}
