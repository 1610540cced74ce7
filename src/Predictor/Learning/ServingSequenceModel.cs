namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// Where a function runs next, given where it ran last: a first-order model of the serving layer's choices. Where a
/// function has several instances and requests are spread over them (Knative's round-robin), the node a workflow's next
/// step runs on depends on the previous invocation, not on where the state is, and the placement model (conditioned on
/// the predecessor's node) sees only an even split. This model learns the order of the instances instead: with one
/// request at a time, round-robin over k nodes becomes certain after k runs. Counts decay per observation, as in
/// <see cref="PlacementModel"/>; persisted with the rest of the model.
/// Not thread-safe; the owner serialises access.
/// </summary>
public sealed class ServingSequenceModel(double decay, int maxFunctions, int maxNodesPerKey = 16)
{
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Function, string Last), DecayedCounts> _next = [];

    /// <summary>One completion of <paramref name="function"/> on <paramref name="node"/>, in the order completions arrive.</summary>
    public void Observe(string function, string node)
    {
        if (_last.TryGetValue(function, out var last))
        {
            if (!_next.TryGetValue((function, last), out var counts))
            {
                if (_next.Count >= maxFunctions * maxNodesPerKey)
                {
                    _next.Clear();
                }

                counts = new DecayedCounts();
                _next[(function, last)] = counts;
            }

            counts.Observe(node, decay, maxNodesPerKey);
        }
        else if (_last.Count >= maxFunctions)
        {
            _last.Clear();
        }

        _last[function] = node;
    }

    /// <summary>Where <paramref name="function"/> runs next, from where it ran last; empty before two runs were seen.</summary>
    public IReadOnlyList<(string Node, double Probability)> Predict(string function) =>
        _last.TryGetValue(function, out var last) && _next.TryGetValue((function, last), out var counts) && counts.Total > 0
            ? [.. counts.Distribution()]
            : [];

    /// <summary>Per function and node it ran on, the counts of where it ran next; <c>Last</c> marks where it ran last.</summary>
    public IEnumerable<(string Function, string After, bool Last, IReadOnlyDictionary<string, double> Next)> Export()
    {
        foreach (var ((function, after), counts) in _next)
        {
            yield return (function, after, _last.TryGetValue(function, out var last) && last == after, counts.Weights);
        }

        foreach (var (function, last) in _last.Where(l => !_next.ContainsKey((l.Key, l.Value))))
        {
            yield return (function, last, true, new Dictionary<string, double>());
        }
    }

    /// <summary>Restores one exported entry.</summary>
    public void Import(string function, string after, bool last, IEnumerable<KeyValuePair<string, double>> next)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        ArgumentException.ThrowIfNullOrEmpty(after);
        var counts = new DecayedCounts(next);
        if (counts.Total > 0)
        {
            _next[(function, after)] = counts;
        }

        if (last)
        {
            _last[function] = after;
        }
    }

    public void Clear()
    {
        _last.Clear();
        _next.Clear();
    }
}
