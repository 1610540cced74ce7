using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>Where the sink gets the deployment's topology from; asked again at every periodic sync.</summary>
public interface ITopologySource
{
    /// <summary>A human-readable origin for logs and errors (a file path, "fixed", a cluster).</summary>
    string Description { get; }

    /// <exception cref="TopologyValidationException">The topology cannot be read or is invalid.</exception>
    Task<NetworkTopology> LoadAsync(CancellationToken cancellationToken);
}
