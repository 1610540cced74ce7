using Skylark.Events.Predictor.Election;
using Skylark.Events.Topology;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// The topology the Predictor elects on, when it has one (DI cannot hold a null singleton). From a file or a shared
/// clock it is fixed; from the Kubernetes API it starts empty and each view the refresher reads replaces it, its graphs
/// built and prepared before the swap so no decision waits for them.
/// </summary>
public sealed class PredictorTopology
{
    private readonly KubernetesTopologyRefresher? _refresher;
    private readonly DateTimeOffset? _epoch;
    private readonly TimeProvider _time;
    private readonly string? _requiredNode;
    private SnapshotElectionGraphs? _graphs;

    /// <summary>A fixed topology, or none (nodes then come only from history and nothing is elected).</summary>
    public PredictorTopology(SnapshotElectionGraphs? graphs)
    {
        _graphs = graphs;
        _time = TimeProvider.System;
    }

    /// <summary>A topology <paramref name="refresher"/> fills through <see cref="Apply"/>.</summary>
    /// <param name="refresher">Reads the Kubernetes API; asked why nothing has loaded yet.</param>
    /// <param name="epoch">When snapshot 0 began; the first load when null.</param>
    /// <param name="requiredNode">A node every view must have (Databelt's fixed destination); a view without it is refused.</param>
    /// <param name="timeProvider">The clock of the first load, when <paramref name="epoch"/> is null.</param>
    public PredictorTopology(KubernetesTopologyRefresher refresher, DateTimeOffset? epoch, string? requiredNode, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(refresher);
        _refresher = refresher;
        _epoch = epoch;
        _requiredNode = requiredNode;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The graphs of the current view; null without a topology or before the first load.</summary>
    public SnapshotElectionGraphs? Graphs => Volatile.Read(ref _graphs);

    /// <summary>Why the Predictor cannot elect yet (its topology comes from the API and none is usable); null otherwise.</summary>
    public string? NotReadyReason => _refresher is { } refresher && Graphs is null
        ? refresher.LastError is { } error
            ? $"No usable topology from the {refresher.Description} yet: {error.TrimEnd('.')}."
            : $"No topology has loaded from the {refresher.Description} yet."
        : null;

    /// <summary>Builds and prepares the graphs of <paramref name="cluster"/> and makes them current.</summary>
    /// <exception cref="TopologyValidationException">The view lacks the required node; the previous graphs stay.</exception>
    public void Apply(KubernetesTopology cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var topology = cluster.Topology;
        if (_requiredNode is { } node && !topology.Contains(node))
        {
            throw new TopologyValidationException(
                _refresher?.Description, [$"the Databelt destination '{node}' (--databelt-destination) is not a node of it"]);
        }

        // One epoch for the Predictor's life: the learned history is indexed by snapshot, which must not shift on reload.
        var epoch = Graphs?.Schedule.Epoch ?? _epoch ?? _time.GetUtcNow();
        var graphs = new SnapshotElectionGraphs(new SnapshotSchedule(topology, epoch));
        graphs.Prepare();
        Volatile.Write(ref _graphs, graphs);
    }
}
