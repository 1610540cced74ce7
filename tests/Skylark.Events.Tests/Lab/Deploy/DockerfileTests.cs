using System.Text.RegularExpressions;
using System.Xml.Linq;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Deploy;

/// <summary>
/// deploy/docker/Dockerfile, read as text (no Docker here): each deployable's target publishes its project and starts
/// the assembly that project builds, from the folder the publish wrote to, as a non-root user.
/// </summary>
public sealed partial class DockerfileTests
{
    /// <summary>One build stage: its name, its base, and its instructions after <c>FROM</c>.</summary>
    internal sealed record Stage(string Name, string From, IReadOnlyList<string> Instructions);

    internal static IReadOnlyList<Stage> Stages()
    {
        var stages = new List<Stage>();
        string? name = null;
        string? from = null;
        var instructions = new List<string>();
        var lines = File.ReadAllText(RepositoryPaths.InRoot("deploy", "docker", "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            if (FromLine().Match(line) is { Success: true } match)
            {
                if (name is not null)
                {
                    stages.Add(new Stage(name, from!, instructions));
                }

                (name, from, instructions) = (match.Groups["name"].Value, match.Groups["from"].Value, []);
                continue;
            }

            instructions.Add(line);
        }

        stages.Add(new Stage(name!, from!, instructions));
        return stages;
    }

    public static TheoryData<string> Deployables() => [.. DeployImages.Projects.Keys];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void The_target_publishes_the_project_and_starts_the_assembly_it_builds(string deployable)
    {
        var stages = Stages().ToDictionary(s => s.Name, StringComparer.Ordinal);
        var project = DeployImages.Projects[deployable];
        var projectFile = RepositoryPaths.InRoot(project.Split('/'));
        Assert.True(File.Exists(projectFile), $"{project} does not exist");
        var csproj = XDocument.Load(projectFile);
        var assembly = csproj.Descendants("AssemblyName").SingleOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(projectFile);
        Assert.Equal("Exe", csproj.Descendants("OutputType").Single().Value);

        var target = stages[deployable];
        var copy = Assert.Single(target.Instructions, i => i.StartsWith("COPY --from=", StringComparison.Ordinal));
        var copied = CopyLine().Match(copy);
        Assert.True(copied.Success, copy);
        var publishStage = stages[copied.Groups["stage"].Value];
        var publish = Assert.Single(publishStage.Instructions, i => i.Contains("dotnet publish", StringComparison.Ordinal));
        var published = PublishLine().Match(publish);
        Assert.True(published.Success, publish);
        Assert.Equal(project, published.Groups["project"].Value);
        Assert.Equal(published.Groups["out"].Value, copied.Groups["source"].Value);

        var entry = Assert.Single(target.Instructions, i => i.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{copied.Groups["target"].Value.TrimEnd('/')}/{assembly}.dll\"]", entry);

        // The runtime the target runs on: ASP.NET Core as a non-root user, with GTK for OpenCV's native library where it is loaded.
        var chain = Chain(stages, target).ToList();
        Assert.Contains(chain, s => s.From.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal));
        // The user in effect is the last USER of the nearest stage that sets one.
        Assert.Equal("USER $APP_UID", chain.Select(s => s.Instructions.LastOrDefault(i => i.StartsWith("USER", StringComparison.Ordinal))).First(u => u is not null));
        var usesOpenCv = csproj.Descendants("PackageReference").Any(p => ((string?)p.Attribute("Include"))?.StartsWith("OpenCvSharp4.official.runtime", StringComparison.Ordinal) == true);
        Assert.Equal(usesOpenCv, chain.SelectMany(s => s.Instructions).Any(i => i.Contains("libgtk-3-0", StringComparison.Ordinal)));
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", Chain(stages, publishStage).Last().From, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_target_is_a_deployable_of_the_repository()
    {
        var targets = Stages().Where(s => s.Instructions.Any(i => i.StartsWith("ENTRYPOINT", StringComparison.Ordinal))).Select(s => s.Name);
        Assert.Equal(DeployImages.Projects.Keys.Order(StringComparer.Ordinal), targets.Order(StringComparer.Ordinal));
    }

    /// <summary>The stage and the stages it is built on, nearest first; the last one's base is an image.</summary>
    private static IEnumerable<Stage> Chain(Dictionary<string, Stage> stages, Stage stage)
    {
        for (var current = stage; current is not null; current = stages.GetValueOrDefault(current.From))
        {
            yield return current;
        }
    }

    [GeneratedRegex(@"^FROM\s+(?<from>\S+)\s+AS\s+(?<name>\S+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^COPY --from=(?<stage>\S+)\s+(?<source>\S+)\s+(?<target>\S+)$")]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"^RUN dotnet publish (?<project>\S+\.csproj)\b.*\s-o\s+(?<out>\S+)$")]
    private static partial Regex PublishLine();
}
