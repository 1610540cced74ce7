using System.CommandLine;
using Skylark.Events.Cli;
using Skylark.Events.Cli.Commands;

namespace Skylark.Events.Tests.Cli.Commands;

public sealed class FuzzCommandTests
{
    [Fact]
    public async Task List_names_every_target_with_what_it_fuzzes()
    {
        var (exit, output, _) = await RunAsync("fuzz", "--list");

        Assert.Equal(0, exit);
        foreach (var target in new[] { "http", "cesql", "journal", "wire", "mqtt", "stateref" })
        {
            Assert.Contains(output.Split('\n'), line => line.StartsWith(target + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("fuzz")]
    [InlineData("fuzz", "xml")]
    public async Task A_missing_or_unknown_target_lists_the_known_ones(params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains("http, cesql, journal, wire, mqtt, stateref", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stats_of_afl_plus_plus_4_are_read_by_their_current_names()
    {
        var stats = FuzzerStats.Parse("""
            start_time        : 1764934000
            run_time          : 60
            execs_done        : 185728
            corpus_count      : 129
            saved_crashes     : 2
            saved_hangs       : 1
            """);

        Assert.Equal(new FuzzerStats(Executions: 185728, Paths: 129, Crashes: 2, Hangs: 1, Seconds: 60), stats);
    }

    [Fact]
    public void The_stats_of_older_afl_versions_are_read_by_their_former_names()
    {
        var stats = FuzzerStats.Parse("execs_done : 10\npaths_total : 3\nunique_crashes : 1\nunique_hangs : 0\n");

        Assert.Equal(new FuzzerStats(Executions: 10, Paths: 3, Crashes: 1, Hangs: 0, Seconds: 0), stats);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
