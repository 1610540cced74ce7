namespace Skylark.Events.Tests.Support;

/// <summary>Finds the checkout and the read-only <c>../shared</c> material from wherever the test binaries run.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    /// <summary><c>../shared</c> beside the checkout; <c>SKYLARK_SHARED</c> overrides it.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("SKYLARK_SHARED") is { Length: > 0 } overridden
            ? overridden
            : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string InRoot(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string InShared(params string[] parts) => Path.Combine([Shared, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skylark.Events.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Skylark.Events.sln not found above {AppContext.BaseDirectory}.");
    }
}
