namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// Exponentially decayed counts of outcomes: each observation multiplies every weight by the decay factor before
/// adding 1 to the observed outcome, so the last few observations dominate and a change shows within a few events.
/// With decay d the weights sum to at most 1/(1−d). Not thread-safe; the owner serialises access.
/// </summary>
public sealed class DecayedCounts
{
    /// <summary>Weights below this are forgotten, which keeps a distribution from growing without bound.</summary>
    public const double Negligible = 1e-3;

    private readonly Dictionary<string, double> _weights;

    public DecayedCounts()
    {
        _weights = new Dictionary<string, double>(StringComparer.Ordinal);
    }

    public DecayedCounts(IEnumerable<KeyValuePair<string, double>> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (outcome, weight) in weights)
        {
            if (double.IsFinite(weight) && weight >= Negligible)
            {
                _weights[outcome] = weight;
                Total += weight;
            }
        }
    }

    public double Total { get; private set; }

    public IReadOnlyDictionary<string, double> Weights => _weights;

    /// <param name="outcome">What was observed.</param>
    /// <param name="decay">Factor in (0, 1] applied to the past.</param>
    /// <param name="maxOutcomes">Most outcomes kept; the lightest are dropped first.</param>
    public void Observe(string outcome, double decay, int maxOutcomes)
    {
        Total = 0;
        List<string>? forgotten = null;
        foreach (var key in _weights.Keys)
        {
            var weight = _weights[key] * decay;
            if (weight < Negligible)
            {
                (forgotten ??= []).Add(key);
                continue;
            }

            _weights[key] = weight;
            Total += weight;
        }

        foreach (var key in forgotten ?? [])
        {
            _weights.Remove(key);
        }

        _weights[outcome] = _weights.GetValueOrDefault(outcome) + 1;
        Total += 1;
        while (_weights.Count > maxOutcomes)
        {
            var lightest = _weights.MinBy(p => p.Value);
            _weights.Remove(lightest.Key);
            Total -= lightest.Value;
        }
    }

    /// <summary>Outcomes with their probabilities (weight / total), most likely first, ties by name.</summary>
    public IEnumerable<(string Outcome, double Probability)> Distribution() =>
        Total <= 0
            ? []
            : _weights.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value / Total));
}
