namespace Skylark.Events.Predictor.Election;

/// <summary>
/// Lowest-latency paths from one node of an <see cref="ElectionGraph"/>: per node, the path latency (ms), the
/// narrowest bandwidth along the path (Mbit/s) and the predecessor on it. Equal-latency paths prefer the wider
/// bottleneck, as <c>LinkGraph</c>'s search does.
/// </summary>
/// <remarks>
/// The tree grows on demand: Dijkstra runs only until the node asked about is settled, and resumes from where it
/// stopped when a farther node is asked about later. An election toward a near destination therefore settles only
/// the nodes closer than it. A settled node's figures never change again. Thread-safe: growth is serialised, and a
/// reader that has asked for a node (which takes the lock) sees that node's final figures.
/// </remarks>
public sealed class ElectionTree
{
    private readonly Lock _gate = new();
    private readonly ElectionGraph _graph;
    private readonly double[] _latency;
    private readonly double[] _bottleneck;
    private readonly int[] _predecessor;
    private IndexedHeap _frontier;
    private bool _complete;

    internal ElectionTree(ElectionGraph graph, int source)
    {
        _graph = graph;
        Source = source;
        var n = graph.Graph.NodeCount;
        _latency = new double[n];
        _bottleneck = new double[n];
        _predecessor = new int[n];
        _latency.AsSpan().Fill(double.PositiveInfinity);
        _predecessor.AsSpan().Fill(-1);
        _frontier = new IndexedHeap(n);
        _latency[source] = 0;
        _bottleneck[source] = double.PositiveInfinity;
        _frontier.InsertOrDecrease(source, 0);
    }

    public int Source { get; }

    /// <summary>How many nodes the search has settled so far.</summary>
    public int Settled { get; private set; }

    /// <summary>Settles <paramref name="node"/> if it is reachable (searching further if needed); false when it is not.</summary>
    public bool IsReachable(int node)
    {
        lock (_gate)
        {
            return SettleLocked(node);
        }
    }

    /// <summary>Path latency in ms; +∞ when unreachable.</summary>
    public double LatencyMs(int node) => IsReachable(node) ? _latency[node] : double.PositiveInfinity;

    /// <summary>
    /// The source when it is one of <paramref name="nodes"/>, else the one with the lowest path latency (the first of
    /// equals, in the order given); -1 when none is reachable.
    /// </summary>
    public int Nearest(IReadOnlyList<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var nearest = -1;
        foreach (var node in nodes)
        {
            if (node == Source)
            {
                return node;
            }

            if (IsReachable(node) && (nearest < 0 || LatencyMs(node) < LatencyMs(nearest)))
            {
                nearest = node;
            }
        }

        return nearest;
    }

    /// <summary>Narrowest link on the path in Mbit/s; +∞ for the source, 0 when unreachable.</summary>
    public double BottleneckMbps(int node) => IsReachable(node) ? _bottleneck[node] : 0;

    /// <summary>Node indices from the source to <paramref name="node"/> inclusive; empty when unreachable.</summary>
    public int[] PathTo(int node)
    {
        if (!IsReachable(node))
        {
            return [];
        }

        var length = 1;
        for (var v = node; v != Source; v = _predecessor[v])
        {
            length++;
        }

        var path = new int[length];
        for (int v = node, i = length - 1; i >= 0; i--)
        {
            path[i] = v;
            v = i > 0 ? _predecessor[v] : v;
        }

        return path;
    }

    /// <summary>Latency of a node already settled by <see cref="IsReachable"/> (and so of every node on its path), without locking.</summary>
    internal double SettledLatencyMs(int node) => _latency[node];

    internal double SettledBottleneckMbps(int node) => _bottleneck[node];

    internal int SettledPredecessor(int node) => _predecessor[node];

    private bool SettleLocked(int target)
    {
        if (_frontier.IsSettled(target) || _complete)
        {
            return !double.IsPositiveInfinity(_latency[target]);
        }

        var offsets = _graph.Offsets;
        var targets = _graph.Targets;
        var latencies = _graph.Latencies;
        var bandwidths = _graph.Bandwidths;
        var latency = _latency;
        var bottleneck = _bottleneck;
        var predecessor = _predecessor;
        while (_frontier.TryPop(out var u))
        {
            Settled++;
            var du = latency[u];
            var bu = bottleneck[u];
            var end = offsets[u + 1];
            for (var arc = offsets[u]; arc < end; arc++)
            {
                var v = targets[arc];
                if (_frontier.IsSettled(v))
                {
                    continue;
                }

                var dv = du + latencies[arc];
                var bv = Math.Min(bu, bandwidths[arc]);
                if (dv < latency[v])
                {
                    latency[v] = dv;
                    bottleneck[v] = bv;
                    predecessor[v] = u;
                    _frontier.InsertOrDecrease(v, dv);
                }
                else if (dv == latency[v] && bv > bottleneck[v])
                {
                    // Not settled yet, so its figures may still improve; the tie rule keeps the result order-independent.
                    bottleneck[v] = bv;
                    predecessor[v] = u;
                }
            }

            if (u == target)
            {
                return true;
            }
        }

        _complete = true;
        return false;
    }
}
