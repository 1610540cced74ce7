using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Cli;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary><c>skylark state put|get|ls</c> against a running <c>skylark up</c> topology (three real redis-servers).</summary>
[Collection(EmulatedClusters.Name)]
public sealed class StateCommandTests : IAsyncLifetime
{
    private readonly string work = Directory.CreateTempSubdirectory("skylark-state-").FullName;
    private EmulatedCluster cluster = null!;
    private string endpoints = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(
            new UpOptions
            {
                TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
                EventingPath = RepositoryPaths.InRoot("eventing"),
                WorkDirectory = work,
            },
            NullLoggerFactory.Instance,
            CancellationToken.None);
        endpoints = Path.Combine(work, "endpoints.json");
        await cluster.Endpoints.WriteAsync(endpoints, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Put_then_get_round_trips_text_and_file_fields()
    {
        var file = Path.Combine(work, "blob.bin");
        await File.WriteAllBytesAsync(file, [0xff, 0x00, 0xfe]);

        var put = await RunAsync("state", "put", "--endpoints", endpoints, "--node", "edge", "--workflow", "wf1", "--bundle", "cfg",
            "--field", "note=hello", "--field", $"blob=@{file}");
        var get = await RunAsync("state", "get", "--endpoints", endpoints, "--node", "edge", "--workflow", "wf1", "--bundle", "cfg");

        Assert.Equal(0, put.Exit);
        Assert.Equal(1, JsonDocument.Parse(put.Output).RootElement.GetProperty("version").GetInt64());
        Assert.Equal(0, get.Exit);
        var bundle = JsonDocument.Parse(get.Output).RootElement;
        Assert.Equal("edge/wf1/cfg", bundle.GetProperty("stateRef").GetString());
        Assert.True(bundle.GetProperty("local").GetBoolean());
        Assert.Equal("hello", bundle.GetProperty("items").GetProperty("note").GetString());
        Assert.Equal(Convert.ToBase64String([0xff, 0x00, 0xfe]), bundle.GetProperty("items").GetProperty("blob").GetProperty("base64").GetString());
    }

    [Fact]
    public async Task Get_looks_on_other_nodes_unless_told_local_only()
    {
        await RunAsync("state", "put", "--endpoints", endpoints, "--node", "sat", "--workflow", "wf2", "--bundle", "model", "--field", "x=1");

        var anywhere = await RunAsync("state", "get", "--endpoints", endpoints, "--node", "cloud", "--workflow", "wf2", "--bundle", "model");
        var localOnly = await RunAsync("state", "get", "--endpoints", endpoints, "--node", "cloud", "--workflow", "wf2", "--bundle", "model", "--local-only");

        Assert.Equal(0, anywhere.Exit);
        var found = JsonDocument.Parse(anywhere.Output).RootElement;
        Assert.Equal("sat", found.GetProperty("node").GetString());
        Assert.False(found.GetProperty("local").GetBoolean());
        Assert.Equal(3, localOnly.Exit);
        Assert.Contains("not found", localOnly.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_lists_the_bundles_of_a_node()
    {
        await RunAsync("state", "put", "--endpoints", endpoints, "--node", "cloud", "--workflow", "wf3", "--bundle", "a", "--field", "x=1");
        await RunAsync("state", "put", "--endpoints", endpoints, "--node", "cloud", "--workflow", "wf3", "--bundle", "b", "--field", "x=22");

        var ls = await RunAsync("state", "ls", "--endpoints", endpoints, "--node", "cloud", "--workflow", "wf3");

        var refs = JsonDocument.Parse(ls.Output).RootElement.EnumerateArray().Select(e => e.GetProperty("stateRef").GetString()).Order().ToList();
        Assert.Equal(["cloud/wf3/a", "cloud/wf3/b"], refs);
    }

    [Theory]
    [InlineData("nowhere", "a", "not in")]
    [InlineData("edge", "bad ref!", "must match")]
    public async Task Bad_input_is_a_one_line_error_and_a_non_zero_exit(string node, string bundle, string message)
    {
        var result = await RunAsync("state", "put", "--endpoints", endpoints, "--node", node, "--workflow", "wf", "--bundle", bundle, "--field", "x=1");

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
