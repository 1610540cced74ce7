using System.CommandLine;

namespace Skylark.Events.Cli.Commands;

/// <summary><c>--manifests &lt;dir&gt;</c> of <c>up</c> and <c>demo</c>: run a folder <c>skylark deploy render</c> wrote.</summary>
public static class ManifestsOption
{
    public static Option<DirectoryInfo?> Create() => new("--manifests")
    {
        Description = "Run the manifests skylark deploy render wrote to this folder (rendered for the same --topology and --mode) instead of rendering them in memory; --topology still gives the links to emulate.",
    };
}
