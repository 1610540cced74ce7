namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// Where each function runs, learned from completions (their <c>node</c>), conditioned on the node its predecessor
/// ran on and the topology snapshot. Three levels are kept: (function, predecessor node, snapshot), then
/// (function, predecessor node), then (function); a prediction uses the most specific level with evidence, so a
/// snapshot seen before is predicted right from its first event while a new one still gets a good guess.
/// Counts decay per observation, so after a placement change the new node dominates within a few events.
/// Not thread-safe; the owner serialises access.
/// </summary>
public sealed class PlacementModel
{
    private readonly Dictionary<PlacementKey, Entry> _entries = [];
    private long _clock;

    public PlacementModel(double decay, int maxKeys, int maxNodesPerKey = 16)
    {
        if (!(decay is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNodesPerKey, 1);
        Decay = decay;
        MaxKeys = maxKeys;
        MaxNodesPerKey = maxNodesPerKey;
    }

    public double Decay { get; }

    public int MaxKeys { get; }

    public int MaxNodesPerKey { get; }

    public int Count => _entries.Count;

    /// <summary>One completion of <paramref name="function"/> on <paramref name="node"/>.</summary>
    public void Observe(string function, string predecessorNode, int snapshot, string node)
    {
        foreach (var key in Keys(function, predecessorNode, snapshot))
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(new DecayedCounts());
                _entries[key] = entry;
            }

            entry.Counts.Observe(node, Decay, MaxNodesPerKey);
            entry.Touched = ++_clock;
        }

        Trim();
    }

    /// <summary>The node distribution at the most specific level that has seen the function; empty with no history.</summary>
    public IReadOnlyList<(string Node, double Probability)> Predict(string function, string predecessorNode, int snapshot)
    {
        foreach (var key in Keys(function, predecessorNode, snapshot))
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Counts.Total > 0)
            {
                return entry.Counts.Distribution().ToList();
            }
        }

        return [];
    }

    /// <summary>Every level's counts, least recently used first; null predecessor or snapshot marks a coarser level.</summary>
    public IEnumerable<(string Function, string? PredecessorNode, int? Snapshot, IReadOnlyDictionary<string, double> Weights)> Export() =>
        _entries.OrderBy(p => p.Value.Touched).Select(p => (p.Key.Function, p.Key.PredecessorNode, p.Key.Snapshot, p.Value.Counts.Weights));

    /// <summary>Restores one exported level (in export order, so recency is preserved).</summary>
    public void Import(string function, string? predecessorNode, int? snapshot, IEnumerable<KeyValuePair<string, double>> weights)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        if (snapshot is not null && predecessorNode is null)
        {
            throw new ArgumentException("a snapshot-level entry needs its predecessor node.", nameof(predecessorNode));
        }

        var counts = new DecayedCounts(weights);
        if (counts.Total > 0)
        {
            _entries[new PlacementKey(function, predecessorNode, snapshot)] = new Entry(counts) { Touched = ++_clock };
        }

        Trim();
    }

    public void Clear() => _entries.Clear();

    private static PlacementKey[] Keys(string function, string predecessorNode, int snapshot) =>
    [
        new(function, predecessorNode, snapshot),
        new(function, predecessorNode, null),
        new(function, null, null),
    ];

    private void Trim()
    {
        if (_entries.Count <= MaxKeys)
        {
            return;
        }

        // Drop the least recently used tenth at once, so trimming is rare rather than a scan per observation.
        var excess = _entries.Count - MaxKeys + Math.Max(1, MaxKeys / 10);
        foreach (var key in _entries.OrderBy(p => p.Value.Touched).Take(excess).Select(p => p.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    private readonly record struct PlacementKey(string Function, string? PredecessorNode, int? Snapshot);

    private sealed class Entry(DecayedCounts counts)
    {
        public DecayedCounts Counts { get; } = counts;

        public long Touched { get; set; }
    }
}
