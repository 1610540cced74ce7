namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// How often a function the Triggers will invoke after F actually completes after F, learned online with decay.
/// The prior is one success: a Trigger that fires is trusted until runs show otherwise, and a path that keeps not
/// happening (the function drops, fails, or replies elsewhere) fades below the threshold within a few events.
/// Not thread-safe; the owner serialises access.
/// </summary>
public sealed class SuccessorModel
{
    private readonly Dictionary<(string From, string To), FollowRate> _rates = [];

    public SuccessorModel(double decay)
    {
        if (!(decay is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "decay must be in (0, 1].");
        }

        Decay = decay;
    }

    public double Decay { get; }

    public int Count => _rates.Count;

    /// <summary>Probability that <paramref name="to"/> follows <paramref name="from"/> when a Trigger invokes it.</summary>
    public double Probability(string from, string to) =>
        _rates.TryGetValue((from, to), out var rate) ? (rate.Followed + 1) / (rate.Offered + 1) : 1.0;

    /// <summary>Records one resolved invocation: <paramref name="followed"/> is whether <paramref name="to"/>'s completion came.</summary>
    public void Observe(string from, string to, bool followed)
    {
        var rate = _rates.GetValueOrDefault((from, to));
        _rates[(from, to)] = new FollowRate((rate.Followed * Decay) + (followed ? 1 : 0), (rate.Offered * Decay) + 1);
    }

    public IEnumerable<(string From, string To, double Followed, double Offered)> Export() =>
        _rates.Select(p => (p.Key.From, p.Key.To, p.Value.Followed, p.Value.Offered));

    public void Import(string from, string to, double followed, double offered)
    {
        if (double.IsFinite(followed) && double.IsFinite(offered) && offered >= 0 && followed >= 0 && followed <= offered + 1e-9)
        {
            _rates[(from, to)] = new FollowRate(followed, offered);
        }
    }

    public void Clear() => _rates.Clear();

    private readonly record struct FollowRate(double Followed, double Offered);
}
