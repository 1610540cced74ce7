using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// On a cluster the sink's topology is the one its <see cref="KubernetesTopologyRefresher"/> last read from the
/// Kubernetes API (node labels and annotations), through the same <see cref="ITopologySource"/> seam as a file. A load
/// costs no API call: the refresher reads the API on its own schedule and tells the <see cref="SinkTopology"/> when the
/// view changed, so a propagate command is never held up by the API server.
/// </summary>
public sealed class KubernetesSinkTopologySource(KubernetesTopologyRefresher refresher) : ITopologySource
{
    private readonly KubernetesTopologyRefresher _refresher = refresher ?? throw new ArgumentNullException(nameof(refresher));

    public string Description => _refresher.Description;

    /// <exception cref="TopologyValidationException">No topology has loaded from the API yet; says why.</exception>
    public Task<NetworkTopology> LoadAsync(CancellationToken cancellationToken) =>
        _refresher.Current is { } cluster
            ? Task.FromResult(cluster.Topology)
            : Task.FromException<NetworkTopology>(new TopologyValidationException(Description, [_refresher.NotLoadedReason ?? "no topology has loaded yet"]));
}
