using System.Diagnostics;
using System.Xml.Linq;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Deploy;

/// <summary>
/// Each image's project publishes, and the publish output holds what its Dockerfile target starts: the entry assembly
/// with its runtime configuration and dependency manifest, and OpenCV's native library for the functions that load it.
/// Published from the Release build the test run already made (<c>--no-build</c>), with the Dockerfile's own flags.
/// </summary>
public sealed class PublishOutputTests
{
    public static TheoryData<string> Deployables() => [.. DeployImages.Projects.Keys];

    [Theory]
    [MemberData(nameof(Deployables))]
    public async Task The_project_publishes_the_assembly_its_target_starts(string deployable)
    {
        using var output = new ScratchDirectory();
        var project = RepositoryPaths.InRoot(DeployImages.Projects[deployable].Split('/'));
        var csproj = XDocument.Load(project);
        var assembly = csproj.Descendants("AssemblyName").SingleOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

        var (exitCode, log) = await PublishAsync(project, output.Path);

        Assert.True(exitCode == 0, $"dotnet publish {project} exited with {exitCode}:\n{log}");
        foreach (var file in new[] { $"{assembly}.dll", $"{assembly}.runtimeconfig.json", $"{assembly}.deps.json" })
        {
            Assert.True(File.Exists(Path.Combine(output.Path, file)), $"{file} is not in the publish output of {deployable}");
        }

        var usesOpenCv = csproj.Descendants("PackageReference").Any(p => ((string?)p.Attribute("Include"))?.StartsWith("OpenCvSharp4.official.runtime", StringComparison.Ordinal) == true);
        Assert.Equal(usesOpenCv, Directory.EnumerateFiles(output.Path, "libOpenCvSharpExtern.so", SearchOption.AllDirectories).Any());
    }

    private static async Task<(int ExitCode, string Log)> PublishAsync(string project, string output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-p:UseAppHost=false", "--no-build", "-o", output, "-nologo", "-v", "q" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
