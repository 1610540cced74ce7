using System.CommandLine;
using Skylark.Events.Cli;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary>
/// <c>skylark deploy render</c> writes the rendered set with its options applied, and refuses what cannot be rendered
/// with exit code 2 and the reason.
/// </summary>
public sealed class DeployCommandTests
{
    [Fact]
    public async Task Render_writes_every_file_with_the_registry_tag_and_mode_given()
    {
        using var scratch = new ScratchDirectory();
        var (exitCode, output, error) = await RunAsync(
            "deploy", "render", "--topology", RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            "--mode", "ondemand", "--registry", "registry.example/team", "--tag", "v1", "--out", scratch.Path);

        Assert.True(exitCode == 0, error);
        Assert.Contains("kubectl apply -k", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(scratch.Path, RenderedManifests.KustomizationFile)));
        Assert.True(File.Exists(Path.Combine(scratch.Path, RenderedManifests.SecretScript)));
        var functions = await File.ReadAllTextAsync(Path.Combine(scratch.Path, "functions.yaml"));
        Assert.Contains("image: registry.example/team/skylark-detect:v1", functions, StringComparison.Ordinal);

        // ondemand runs no Predictor: neither its Service nor the propagate routes.
        Assert.False(File.Exists(Path.Combine(scratch.Path, "predictor.yaml")));
        Assert.DoesNotContain("propagate-", await File.ReadAllTextAsync(Path.Combine(scratch.Path, "triggers.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_round_robin_renders_one_Service_per_function_and_locality_aware_is_the_default()
    {
        using var scratch = new ScratchDirectory();
        var topology = RepositoryPaths.InRoot("topologies", "three-nodes.yaml");
        var (exitCode, _, error) = await RunAsync("deploy", "render", "--topology", topology, "--serving", "round-robin", "--out", scratch.File("rr"));
        Assert.True(exitCode == 0, error);
        (exitCode, _, error) = await RunAsync("deploy", "render", "--topology", topology, "--out", scratch.File("default"));
        Assert.True(exitCode == 0, error);

        var roundRobin = await File.ReadAllTextAsync(Path.Combine(scratch.File("rr"), "functions.yaml"));
        Assert.Contains("\n  name: detect\n", roundRobin, StringComparison.Ordinal);
        Assert.DoesNotContain("skylark.io/node", roundRobin, StringComparison.Ordinal);
        var localityAware = await File.ReadAllTextAsync(Path.Combine(scratch.File("default"), "functions.yaml"));
        Assert.DoesNotContain("\n  name: detect\n", localityAware, StringComparison.Ordinal);
        Assert.Contains("\n  name: detect-", localityAware, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_topology_exits_2_naming_the_problem()
    {
        using var scratch = new ScratchDirectory();
        var topology = scratch.File("bad.yaml");
        await File.WriteAllTextAsync(topology, "nodes:\n  - { name: edge, type: moon }\n");

        var (exitCode, _, error) = await RunAsync("deploy", "render", "--topology", topology, "--out", scratch.File("out"));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("deploy render: ", error, StringComparison.Ordinal);
        Assert.Contains("moon", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(scratch.File("out")));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
