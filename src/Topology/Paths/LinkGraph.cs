namespace Skylark.Events.Topology;

/// <summary>
/// A directed graph in compressed sparse row form: node i's outgoing arcs are
/// <c>[Offsets[i], Offsets[i+1])</c> in the arc arrays. Flat arrays keep shortest-path searches
/// cache-friendly and allocation-free in the inner loop, which matters on 10,000-node graphs.
/// An undirected <see cref="Link"/> becomes two arcs.
/// </summary>
public sealed class LinkGraph
{
    private readonly string[] _names;
    private readonly Dictionary<string, int> _indexByName;
    private readonly int[] _offsets;
    private readonly int[] _targets;
    private readonly double[] _latencies;
    private readonly double[] _bandwidths;

    private LinkGraph(string[] names, Dictionary<string, int> indexByName, int[] offsets, int[] targets, double[] latencies, double[] bandwidths)
    {
        _names = names;
        _indexByName = indexByName;
        _offsets = offsets;
        _targets = targets;
        _latencies = latencies;
        _bandwidths = bandwidths;
    }

    public int NodeCount => _names.Length;

    public int ArcCount => _targets.Length;

    public IReadOnlyList<string> Names => _names;

    public string NameOf(int index) => _names[index];

    public int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out var index) ? index : throw new KeyNotFoundException($"graph has no node '{name}'.");

    public bool TryIndexOf(string name, out int index) => _indexByName.TryGetValue(name, out index);

    /// <summary>Outgoing arcs of <paramref name="node"/>: targets, latencies (ms) and bandwidths (Mbit/s), index-aligned.</summary>
    public (ReadOnlyMemory<int> Targets, ReadOnlyMemory<double> LatenciesMs, ReadOnlyMemory<double> BandwidthsMbps) ArcsOf(int node)
    {
        var start = _offsets[node];
        var count = _offsets[node + 1] - start;
        return (_targets.AsMemory(start, count), _latencies.AsMemory(start, count), _bandwidths.AsMemory(start, count));
    }

    /// <summary>The graph of one snapshot, with node indices equal to <see cref="NetworkTopology.IndexOf"/>.</summary>
    public static LinkGraph FromSnapshot(NetworkTopology topology, TopologySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(snapshot);
        var builder = new Builder();
        foreach (var node in topology.Nodes)
        {
            builder.AddNode(node.Name);
        }

        foreach (var link in snapshot.Links)
        {
            builder.AddLink(topology.IndexOf(link.A), topology.IndexOf(link.B), link.LatencyMs, link.BandwidthMbps);
        }

        return builder.Build();
    }

    /// <summary>Single-source shortest paths by latency (Dijkstra with a binary heap).</summary>
    public SingleSourcePaths ShortestPathsFrom(string source) => ShortestPathsFrom(IndexOf(source));

    /// <inheritdoc cref="ShortestPathsFrom(string)"/>
    public SingleSourcePaths ShortestPathsFrom(int source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(source);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(source, NodeCount);
        var n = NodeCount;
        var latency = new double[n];
        var bottleneck = new double[n];
        var predecessor = new int[n];
        Dijkstra(source, latency, bottleneck, predecessor, new bool[n], new PriorityQueue<int, double>(Math.Min(n, 1024)));
        return new SingleSourcePaths(this, source, latency, bottleneck, predecessor);
    }

    /// <summary>
    /// Fills the row spans for one source; the caller owns (and may reuse) the buffers.
    /// Ties in latency prefer the path with the wider bottleneck, so the result does not depend on arc order.
    /// </summary>
    internal void Dijkstra(int source, Span<double> latency, Span<double> bottleneck, Span<int> predecessor, Span<bool> settled, PriorityQueue<int, double> queue)
    {
        latency.Fill(double.PositiveInfinity);
        bottleneck.Fill(0);
        predecessor.Fill(-1);
        settled.Clear();
        queue.Clear();

        latency[source] = 0;
        bottleneck[source] = double.PositiveInfinity;
        queue.Enqueue(source, 0);
        var offsets = _offsets;
        var targets = _targets;
        var latencies = _latencies;
        var bandwidths = _bandwidths;
        while (queue.TryDequeue(out var u, out var du))
        {
            // Lazy deletion: a node may sit in the heap several times; only its best entry counts.
            if (settled[u] || du > latency[u])
            {
                continue;
            }

            settled[u] = true;
            var bu = bottleneck[u];
            for (var arc = offsets[u]; arc < offsets[u + 1]; arc++)
            {
                var v = targets[arc];
                if (settled[v])
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
                    queue.Enqueue(v, dv);
                }
                else if (dv == latency[v] && bv > bottleneck[v])
                {
                    bottleneck[v] = bv;
                    predecessor[v] = u;
                }
            }
        }
    }

    /// <summary>Accumulates nodes and arcs, then freezes them into a <see cref="LinkGraph"/>.</summary>
    public sealed class Builder
    {
        private readonly List<string> _names = [];
        private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);
        private readonly List<(int From, int To, double Latency, double Bandwidth)> _arcs = [];

        /// <summary>Adds a node (or returns the index of an existing one with that name).</summary>
        public int AddNode(string name)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (_indexByName.TryGetValue(name, out var existing))
            {
                return existing;
            }

            _names.Add(name);
            _indexByName[name] = _names.Count - 1;
            return _names.Count - 1;
        }

        /// <summary>A one-way arc; <paramref name="bandwidthMbps"/> defaults to unlimited for graphs that only weigh latency.</summary>
        public Builder AddArc(int from, int to, double latencyMs, double bandwidthMbps = double.PositiveInfinity)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(from);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(from, _names.Count);
            ArgumentOutOfRangeException.ThrowIfNegative(to);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(to, _names.Count);
            if (!double.IsFinite(latencyMs) || latencyMs < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(latencyMs), latencyMs, "Latency must be finite and ≥ 0 (Dijkstra needs non-negative weights).");
            }

            if (double.IsNaN(bandwidthMbps) || bandwidthMbps <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bandwidthMbps), bandwidthMbps, "Bandwidth must be > 0.");
            }

            _arcs.Add((from, to, latencyMs, bandwidthMbps));
            return this;
        }

        /// <summary>An undirected link: one arc each way with the same latency and bandwidth.</summary>
        public Builder AddLink(int a, int b, double latencyMs, double bandwidthMbps = double.PositiveInfinity) =>
            AddArc(a, b, latencyMs, bandwidthMbps).AddArc(b, a, latencyMs, bandwidthMbps);

        public LinkGraph Build()
        {
            var n = _names.Count;
            var offsets = new int[n + 1];
            foreach (var arc in _arcs)
            {
                offsets[arc.From + 1]++;
            }

            for (var i = 0; i < n; i++)
            {
                offsets[i + 1] += offsets[i];
            }

            var cursor = offsets[..n];
            var targets = new int[_arcs.Count];
            var latencies = new double[_arcs.Count];
            var bandwidths = new double[_arcs.Count];
            foreach (var (from, to, latency, bandwidth) in _arcs)
            {
                var slot = cursor[from]++;
                targets[slot] = to;
                latencies[slot] = latency;
                bandwidths[slot] = bandwidth;
            }

            return new LinkGraph([.. _names], new Dictionary<string, int>(_indexByName, StringComparer.Ordinal), offsets, targets, latencies, bandwidths);
        }
    }
}
