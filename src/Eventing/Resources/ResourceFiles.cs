namespace Skylark.Events.Eventing.Resources;

/// <summary>Turns the paths given to the loader into the YAML files to read, in a deterministic order.</summary>
internal static class ResourceFiles
{
    private static readonly EnumerationOptions Recursive = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        MatchCasing = MatchCasing.CaseSensitive,
        // Skips dot-folders such as .git next to the manifests.
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
    };

    /// <summary>
    /// Files named directly are read whatever their extension (the caller chose them); folders contribute every
    /// *.yaml and *.yml below them, ordered by ordinal relative path so every machine loads them alike.
    /// A file reached twice is read once.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, ICollection<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                errors.Add(new ResourceError(path ?? string.Empty, -1, string.Empty, "empty path"));
                continue;
            }

            if (File.Exists(path))
            {
                Add(path);
            }
            else if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", Recursive)
                    .Where(IsYaml)
                    .OrderBy(f => Path.GetRelativePath(path, f).Replace('\\', '/'), StringComparer.Ordinal);
                foreach (var file in found)
                {
                    Add(file);
                }
            }
            else
            {
                errors.Add(new ResourceError(path, -1, string.Empty, "no such file or folder"));
            }
        }

        return files;

        void Add(string file)
        {
            if (seen.Add(Path.GetFullPath(file)))
            {
                files.Add(file);
            }
        }
    }

    private static bool IsYaml(string file) =>
        file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal);
}
