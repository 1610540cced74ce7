using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// On a cluster the sink refreshes its topology from the Kubernetes API (node labels and annotations), through the
/// same <see cref="ITopologySource"/> seam as a file; API failures surface as topology errors the sync reports.
/// </summary>
public sealed class KubernetesSinkTopologySource(KubernetesTopologySource kubernetes) : ITopologySource
{
    public string Description => kubernetes.Description;

    public async Task<NetworkTopology> LoadAsync(CancellationToken cancellationToken) =>
        (await kubernetes.LoadAsync(cancellationToken)).Topology;
}
