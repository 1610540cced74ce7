using Skylark.Events.Topology;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// The other nodes' sinks as the Kubernetes API last listed them: the Running, Ready StateSink pod on each node
/// (<see cref="KubernetesTopology.SinkEndpoints"/>), from the sink's <see cref="KubernetesTopologyRefresher"/>. A pod
/// that moves or a node that joins is reachable from the next refresh on, with no restart.
/// </summary>
public sealed class KubernetesSinkDirectory(KubernetesTopologyRefresher refresher) : ISinkDirectory
{
    private readonly KubernetesTopologyRefresher _refresher = refresher ?? throw new ArgumentNullException(nameof(refresher));

    /// <exception cref="KeyNotFoundException">The API lists no ready StateSink pod on <paramref name="toNode"/> (or nothing has loaded yet).</exception>
    public Uri SinkFor(string fromNode, string toNode)
    {
        if (_refresher.Current is not { } cluster)
        {
            throw new KeyNotFoundException($"No StateSink is known for node '{toNode}': {_refresher.NotLoadedReason}.");
        }

        return cluster.SinkEndpoints.TryGetValue(toNode, out var sink)
            ? SinkUris.Normalize(sink, toNode)
            : throw new KeyNotFoundException(
                $"The {_refresher.Description} lists no Running and Ready StateSink pod on node '{toNode}' "
                + $"(nodes with one: {(cluster.SinkEndpoints.Count == 0 ? "none" : string.Join(", ", cluster.SinkEndpoints.Keys.Order(StringComparer.Ordinal)))}).");
    }
}
