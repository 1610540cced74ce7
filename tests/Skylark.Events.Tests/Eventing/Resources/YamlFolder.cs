using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>A temporary folder of YAML files for one test; deleted on dispose.</summary>
public sealed class YamlFolder : IDisposable
{
    public YamlFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "skylark-resources-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Writes <paramref name="yaml"/> to <paramref name="relativePath"/> and returns the file's path.</summary>
    public string Write(string relativePath, string yaml)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>Loads one file that must be valid.</summary>
    public EventingModel LoadValid(string yaml, ResourceLoaderOptions? options = null) =>
        ResourceLoader.Load([Write("resources.yaml", yaml)], options ?? ResourceLoaderOptions.Default);

    /// <summary>Loads one file that must be invalid and returns every error reported.</summary>
    public IReadOnlyList<ResourceError> LoadErrors(string yaml, ResourceLoaderOptions? options = null)
    {
        var path = Write("resources.yaml", yaml);
        var exception = Assert.Throws<ResourceValidationException>(() => ResourceLoader.Load([path], options ?? ResourceLoaderOptions.Default));
        Assert.NotEmpty(exception.Errors);
        Assert.All(exception.Errors, e => Assert.Equal(path, e.File));
        return exception.Errors;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
