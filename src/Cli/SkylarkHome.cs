namespace Skylark.Events.Cli;

/// <summary>
/// The checkout the host runs from, so commands find <c>eventing/</c> and <c>topologies/</c> whatever the working
/// directory. The <c>./skylark</c> script sets <c>SKYLARK_HOME</c>; otherwise it is found above the binaries.
/// </summary>
public static class SkylarkHome
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("SKYLARK_HOME") is { Length: > 0 } home && Directory.Exists(home))
        {
            return home;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Skylark.Events.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
