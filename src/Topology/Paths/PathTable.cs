namespace Skylark.Events.Topology;

/// <summary>
/// All-pairs lowest-latency paths of one snapshot, computed once (Dijkstra from every node) so lookups
/// during event routing are array reads. Memory is O(n²): meant for deployment topologies, not for the
/// 10,000-node election graphs (use <see cref="LinkGraph.ShortestPathsFrom(int)"/> there).
/// </summary>
public sealed class PathTable
{
    private readonly int _n;
    private readonly double[] _latency;
    private readonly double[] _bottleneck;
    private readonly int[] _predecessor;

    /// <summary>Largest graph a table is built for (three n×n arrays of 8, 8 and 4 bytes: 320 MiB at this size).</summary>
    public const int MaxNodes = 4096;

    public PathTable(LinkGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.NodeCount > MaxNodes)
        {
            throw new ArgumentException(
                $"a path table of {graph.NodeCount} nodes needs O(n²) memory; above {MaxNodes} nodes use LinkGraph.ShortestPathsFrom per source.",
                nameof(graph));
        }

        Graph = graph;
        _n = graph.NodeCount;
        _latency = new double[_n * _n];
        _bottleneck = new double[_n * _n];
        _predecessor = new int[_n * _n];
        var settled = new bool[_n];
        var queue = new PriorityQueue<int, double>(_n);
        for (var source = 0; source < _n; source++)
        {
            graph.Dijkstra(
                source,
                _latency.AsSpan(source * _n, _n),
                _bottleneck.AsSpan(source * _n, _n),
                _predecessor.AsSpan(source * _n, _n),
                settled,
                queue);
        }
    }

    /// <summary>The table of one snapshot of <paramref name="topology"/>.</summary>
    public static PathTable For(NetworkTopology topology, TopologySnapshot snapshot) =>
        new(LinkGraph.FromSnapshot(topology, snapshot)) { Snapshot = snapshot };

    /// <summary>One table per snapshot, in <see cref="NetworkTopology.Snapshots"/> order.</summary>
    public static IReadOnlyList<PathTable> ForEachSnapshot(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return topology.Snapshots.Select(s => For(topology, s)).ToList().AsReadOnly();
    }

    public LinkGraph Graph { get; }

    /// <summary>The snapshot this table was computed for, when it came from a topology.</summary>
    public TopologySnapshot? Snapshot { get; private init; }

    public bool IsReachable(string from, string to) => !double.IsPositiveInfinity(_latency[Cell(from, to)]);

    /// <summary>Path latency in ms; +∞ when <paramref name="to"/> cannot be reached.</summary>
    public double LatencyMs(string from, string to) => _latency[Cell(from, to)];

    /// <summary>Narrowest bandwidth on the path in Mbit/s; 0 when unreachable, +∞ from a node to itself.</summary>
    public double BottleneckMbps(string from, string to) => _bottleneck[Cell(from, to)];

    /// <summary>Latency plus serialisation at the bottleneck, ms; +∞ when unreachable.</summary>
    public double TransferTimeMs(string from, string to, long bytes) =>
        TryGetPath(from, to, out var path) ? path.TransferTimeMs(bytes) : double.PositiveInfinity;

    public NetworkPath GetPath(string from, string to) =>
        TryGetPath(from, to, out var path)
            ? path
            : throw new InvalidOperationException($"no path from '{from}' to '{to}' in {Snapshot?.ToString() ?? "this graph"}.");

    public bool TryGetPath(string from, string to, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NetworkPath? path)
    {
        var source = Graph.IndexOf(from);
        var cell = Cell(source, Graph.IndexOf(to));
        if (double.IsPositiveInfinity(_latency[cell]))
        {
            path = null;
            return false;
        }

        var indices = SingleSourcePaths.Walk(_predecessor.AsSpan(source * _n, _n), source, Graph.IndexOf(to), reachable: true);
        path = new NetworkPath(Array.ConvertAll(indices, Graph.NameOf), _latency[cell], _bottleneck[cell]);
        return true;
    }

    /// <summary>The direct link between two nodes (the lowest-latency arc if several), when they are adjacent.</summary>
    public bool TryGetDirectLink(string from, string to, out LinkConditions conditions)
    {
        var (targets, latencies, bandwidths) = Graph.ArcsOf(Graph.IndexOf(from));
        var target = Graph.IndexOf(to);
        var best = -1;
        for (var i = 0; i < targets.Length; i++)
        {
            if (targets.Span[i] == target && (best < 0 || latencies.Span[i] < latencies.Span[best]))
            {
                best = i;
            }
        }

        conditions = best < 0 ? default : new LinkConditions(latencies.Span[best], bandwidths.Span[best]);
        return best >= 0;
    }

    private int Cell(string from, string to) => Cell(Graph.IndexOf(from), Graph.IndexOf(to));

    private int Cell(int from, int to) => (from * _n) + to;
}
