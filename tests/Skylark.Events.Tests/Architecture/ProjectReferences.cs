using System.Xml.Linq;

namespace Skylark.Events.Tests.Architecture;

public enum ReferenceKind
{
    Project,
    Framework,
    Package,
}

/// <summary>
/// One reference item of a project under src/. Projects are named by their folder under src/ with '/' (e.g.
/// <c>Broker</c>, <c>Functions/Alarm</c>), both <see cref="From"/> and, for <see cref="ReferenceKind.Project"/>,
/// <see cref="To"/>; frameworks and packages by their name. <see cref="File"/> is the project file from the repository
/// root (<c>src/Broker/Skylark.Events.Broker.csproj</c>), for messages.
/// </summary>
public sealed record ProjectReferenceItem(string File, string From, ReferenceKind Kind, string To);

/// <summary>Reads the ProjectReference, FrameworkReference and PackageReference items of every project under src/.</summary>
public static class ProjectReferences
{
    private const string WebSdk = "Microsoft.NET.Sdk.Web";

    /// <summary>The projects under <paramref name="srcDirectory"/>, by folder name, each with the file it is read from.</summary>
    public static IReadOnlyDictionary<string, string> Projects(string srcDirectory) =>
        Directory.EnumerateFiles(srcDirectory, "*.csproj", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(srcDirectory, file))
            .ToDictionary(file => ProjectName(srcDirectory, Path.GetDirectoryName(file)!), file => file, StringComparer.Ordinal);

    /// <summary>Every reference item of every project under <paramref name="srcDirectory"/>.</summary>
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
        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(srcDirectory)))!;
        var file = Path.GetRelativePath(root, Path.GetFullPath(projectFile)).Replace(Path.DirectorySeparatorChar, '/');
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

    /// <summary>A project's folder relative to src/ with '/'; outside src/ it starts with <c>../</c>.</summary>
    private static string ProjectName(string srcDirectory, string projectDirectory) =>
        Path.GetRelativePath(srcDirectory, projectDirectory).Replace(Path.DirectorySeparatorChar, '/');

    private static bool IsBuildOutput(string srcDirectory, string file) =>
        Path.GetRelativePath(srcDirectory, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
}
