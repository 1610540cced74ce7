using System.Xml.Linq;

namespace Skylark.Events.Tests.Architecture;

public enum ReferenceKind
{
    Project,
    Framework,
    Package,
}

/// <summary>
/// One reference item of a project under src/, lab/, bench/ or fuzz/. Projects are named by their folder under src/ with '/'
/// (e.g. <c>Broker</c>, <c>Functions/Alarm</c>), and beside src/ by their folder from the repository root (<c>lab</c>,
/// <c>bench</c>, <c>fuzz</c>), both <see cref="From"/> and, for <see cref="ReferenceKind.Project"/>, <see cref="To"/>; frameworks
/// and packages by their name. <see cref="File"/> is the project file from the repository root
/// (<c>src/Broker/Skylark.Events.Broker.csproj</c>), for messages.
/// </summary>
public sealed record ProjectReferenceItem(string File, string From, ReferenceKind Kind, string To);

/// <summary>
/// Reads the ProjectReference, FrameworkReference and PackageReference items of every project under src/ and of the
/// lab, the benchmarks and the fuzz harnesses beside it.
/// </summary>
public static class ProjectReferences
{
    private const string WebSdk = "Microsoft.NET.Sdk.Web";

    /// <summary>The folders beside src/ whose projects the <c>skylark</c> host is built from, so they are layered too.</summary>
    private static readonly string[] BesideSrc = ["lab", "bench", "fuzz"];

    /// <summary>
    /// The projects under <paramref name="srcDirectory"/> and under the folders beside it that exist, by name, each with
    /// the file it is read from.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Projects(string srcDirectory) =>
        ProjectDirectories(srcDirectory)
            .SelectMany(directory => Directory.EnumerateFiles(directory, "*.csproj", SearchOption.AllDirectories)
                .Where(file => !IsBuildOutput(directory, file)))
            .ToDictionary(file => ProjectName(srcDirectory, Path.GetDirectoryName(file)!), file => file, StringComparer.Ordinal);

    /// <summary>Every reference item of every project <see cref="Projects"/> finds.</summary>
    public static IReadOnlyList<ProjectReferenceItem> Read(string srcDirectory) =>
        [.. Projects(srcDirectory).OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => Read(srcDirectory, p.Value))];

    /// <summary>
    /// The reference items of one project file. <c>Sdk="Microsoft.NET.Sdk.Web"</c> counts as a FrameworkReference to
    /// Microsoft.AspNetCore.App, which is what that SDK adds, so a library cannot take ASP.NET Core in through its SDK.
    /// </summary>
    public static IEnumerable<ProjectReferenceItem> Read(string srcDirectory, string projectFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        var from = ProjectName(srcDirectory, directory);
        var file = Path.GetRelativePath(Root(srcDirectory), Path.GetFullPath(projectFile)).Replace(Path.DirectorySeparatorChar, '/');
        var project = XDocument.Load(projectFile).Root!;
        if (string.Equals((string?)project.Attribute("Sdk"), WebSdk, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ProjectReferenceItem(file, from, ReferenceKind.Framework, "Microsoft.AspNetCore.App");
        }

        foreach (var item in project.Descendants())
        {
            var kind = item.Name.LocalName switch
            {
                "ProjectReference" => ReferenceKind.Project,
                "FrameworkReference" => ReferenceKind.Framework,
                "PackageReference" => ReferenceKind.Package,
                _ => (ReferenceKind?)null,
            };
            if (kind is null || (string?)item.Attribute("Include") is not { Length: > 0 } include)
            {
                continue;
            }

            var to = kind == ReferenceKind.Project
                ? ProjectName(srcDirectory, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(directory, include.Replace('\\', '/'))))!)
                : include;
            yield return new ProjectReferenceItem(file, from, kind.Value, to);
        }
    }

    /// <summary>A project's folder relative to src/ with '/'; outside src/, relative to the repository root.</summary>
    private static string ProjectName(string srcDirectory, string projectDirectory)
    {
        var name = Path.GetRelativePath(srcDirectory, projectDirectory);
        if (name.StartsWith("..", StringComparison.Ordinal))
        {
            name = Path.GetRelativePath(Root(srcDirectory), projectDirectory);
        }

        return name.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static IEnumerable<string> ProjectDirectories(string srcDirectory) =>
        [srcDirectory, .. BesideSrc.Select(folder => Path.Combine(Root(srcDirectory), folder)).Where(Directory.Exists)];

    private static string Root(string srcDirectory) =>
        Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(srcDirectory)))!;

    private static bool IsBuildOutput(string directory, string file) =>
        Path.GetRelativePath(directory, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
}
