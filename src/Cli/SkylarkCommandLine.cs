namespace Skylark.Events.Cli;

/// <summary>Entry point of the <c>skylark</c> host: dispatches to one command per file under Commands/.</summary>
public static class SkylarkCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await Console.Out.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        await Console.Error.WriteLineAsync($"skylark: unknown command '{args[0]}'.\n\n{Usage}");
        return 2;
    }

    private const string Usage = """
        usage: skylark <command> [options]

        commands:
          demo      run the camera pipeline end to end and print a report
          test      run the whole test suite (handled by the ./skylark script)
        """;
}
