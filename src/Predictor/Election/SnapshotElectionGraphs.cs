using Skylark.Events.Topology;

namespace Skylark.Events.Predictor.Election;

/// <summary>
/// One <see cref="ElectionGraph"/> per snapshot of a topology, built the first time that snapshot is asked for and
/// kept: an orbit repeats, so each snapshot's precomputation is paid once, not once per pass or per request.
/// </summary>
public sealed class SnapshotElectionGraphs
{
    private readonly Lazy<ElectionGraph>[] _graphs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _hosts = new(StringComparer.Ordinal);

    public SnapshotElectionGraphs(SnapshotSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
        _graphs = Enumerable.Range(0, schedule.Snapshots.Count)
            .Select(i => new Lazy<ElectionGraph>(() => ElectionGraph.For(schedule.Topology, i), LazyThreadSafetyMode.ExecutionAndPublication))
            .ToArray();
    }

    public SnapshotSchedule Schedule { get; }

    public NetworkTopology Topology => Schedule.Topology;

    public ElectionGraph this[int snapshotIndex] => _graphs[snapshotIndex].Value;

    /// <summary>Indexes of the nodes the topology places <paramref name="function"/> on, in topology order (cached).</summary>
    public int[] HostsOf(string function) =>
        _hosts.GetOrAdd(function, f => [.. Topology.NodesHosting(f).Select(n => Topology.IndexOf(n.Name))]);

    /// <summary>The graph of the snapshot that holds at <paramref name="time"/>.</summary>
    public ElectionGraph At(DateTimeOffset time) => this[Schedule.IndexAt(time)];

    /// <summary>
    /// Builds every snapshot's graph now, with the trees out of every node that hosts a function (where state is
    /// produced, so where elections start), so the first requests do not pay for either.
    /// </summary>
    public void Prepare()
    {
        var hosts = Topology.Nodes.Where(n => n.Functions.Count > 0).Select(n => Topology.IndexOf(n.Name)).ToList();
        foreach (var graph in _graphs)
        {
            foreach (var host in hosts)
            {
                _ = graph.Value.PathsFrom(host);
            }
        }
    }
}
