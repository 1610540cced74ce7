using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>Re-reads a topology file (docs/topology.md) on every load, so editing the file changes what the sink sees.</summary>
public sealed class FileTopologySource : ITopologySource
{
    public FileTopologySource(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    public string Path { get; }

    public string Description => Path;

    public async Task<NetworkTopology> LoadAsync(CancellationToken cancellationToken)
    {
        string yaml;
        try
        {
            yaml = await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new TopologyValidationException(Path, [$"cannot read the file: {error.Message}"]);
        }

        return TopologyLoader.Parse(yaml, Path);
    }
}
