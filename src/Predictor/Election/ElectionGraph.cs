using Skylark.Events.Topology;

namespace Skylark.Events.Predictor.Election;

/// <summary>
/// What an election needs of one snapshot, computed once per snapshot instead of per request: the arcs in flat
/// arrays, which nodes stay connected in the next snapshot, and (lazily, per source) the lowest-latency tree out of
/// each node that holds state, grown only as far as elections need. An election is then a walk up one tree: no graph
/// building, and no search once the tree reaches the destination. Thread-safe.
/// </summary>
public sealed class ElectionGraph
{
    private readonly int[] _offsets;
    private readonly int[] _targets;
    private readonly double[] _latencies;
    private readonly double[] _bandwidths;
    private readonly int[]? _nextComponent;
    private readonly ElectionTree?[] _trees;
    private readonly int _maxCachedTrees;
    private int _cachedTrees;

    /// <param name="current">The links that hold now.</param>
    /// <param name="next">
    /// The links of the next snapshot, with the same nodes in the same order; null when the topology does not change.
    /// </param>
    /// <param name="maxCachedTrees">Most source trees kept (each costs about 40 bytes per node); beyond it trees are built per request.</param>
    public ElectionGraph(LinkGraph current, LinkGraph? next = null, int maxCachedTrees = 4096)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCachedTrees);
        if (next is not null && !current.Names.SequenceEqual(next.Names, StringComparer.Ordinal))
        {
            throw new ArgumentException("the next snapshot's graph must list the same nodes in the same order as the current one.", nameof(next));
        }

        Graph = current;
        var n = current.NodeCount;
        _offsets = new int[n + 1];
        _targets = new int[current.ArcCount];
        _latencies = new double[current.ArcCount];
        _bandwidths = new double[current.ArcCount];
        for (var u = 0; u < n; u++)
        {
            var (targets, latencies, bandwidths) = current.ArcsOf(u);
            targets.Span.CopyTo(_targets.AsSpan(_offsets[u]));
            latencies.Span.CopyTo(_latencies.AsSpan(_offsets[u]));
            bandwidths.Span.CopyTo(_bandwidths.AsSpan(_offsets[u]));
            _offsets[u + 1] = _offsets[u] + targets.Length;
        }

        _nextComponent = next is null ? null : WeakComponents(next);
        _trees = new ElectionTree?[n];
        _maxCachedTrees = maxCachedTrees;
    }

    /// <summary>The election graph of snapshot <paramref name="snapshotIndex"/>, looking ahead to the one after it.</summary>
    public static ElectionGraph For(NetworkTopology topology, int snapshotIndex, int maxCachedTrees = 4096)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(snapshotIndex, topology.Snapshots.Count);
        var current = LinkGraph.FromSnapshot(topology, topology.Snapshots[snapshotIndex]);
        var next = topology.IsStatic
            ? null
            : LinkGraph.FromSnapshot(topology, topology.Snapshots[(snapshotIndex + 1) % topology.Snapshots.Count]);
        return new ElectionGraph(current, next, maxCachedTrees);
    }

    public LinkGraph Graph { get; }

    internal int[] Offsets => _offsets;

    internal int[] Targets => _targets;

    internal double[] Latencies => _latencies;

    internal double[] Bandwidths => _bandwidths;

    /// <summary>True when the next snapshot is known, so nodes about to leave range can be excluded.</summary>
    public bool LooksAhead => _nextComponent is not null;

    /// <summary>The lowest-latency paths out of <paramref name="source"/>, cached after the first request.</summary>
    public ElectionTree PathsFrom(int source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(source);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(source, _trees.Length);
        if (Volatile.Read(ref _trees[source]) is { } cached)
        {
            return cached;
        }

        var tree = new ElectionTree(this, source);
        if (Interlocked.Increment(ref _cachedTrees) <= _maxCachedTrees)
        {
            return Interlocked.CompareExchange(ref _trees[source], tree, null) ?? tree;
        }

        Interlocked.Decrement(ref _cachedTrees);
        return tree;
    }

    /// <summary>
    /// False when <paramref name="node"/> will be cut off from <paramref name="destination"/> in the next snapshot
    /// (out of range): state parked there would be stranded just when the next function wants it.
    /// </summary>
    public bool StaysConnected(int node, int destination) =>
        _nextComponent is null || _nextComponent[node] == _nextComponent[destination];

    /// <summary>Component label per node, ignoring arc direction (union-find with path halving).</summary>
    private static int[] WeakComponents(LinkGraph graph)
    {
        var parent = new int[graph.NodeCount];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }

        for (var u = 0; u < graph.NodeCount; u++)
        {
            foreach (var v in graph.ArcsOf(u).Targets.Span)
            {
                var a = Find(parent, u);
                var b = Find(parent, v);
                if (a != b)
                {
                    parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }

        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = Find(parent, i);
        }

        return parent;
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }
}
