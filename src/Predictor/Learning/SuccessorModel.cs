namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// How often a function the Triggers will invoke after F actually completes after F, and how long that usually
/// takes, learned online with decay. The prior is one success: a Trigger that fires is trusted until runs show
/// otherwise, and a path that keeps not happening (the function drops, fails, or replies elsewhere) fades below the
/// threshold within a few events. Not thread-safe; the owner serialises access.
/// </summary>
public sealed class SuccessorModel
{
    private readonly Dictionary<(string From, string To), FollowRate> _rates = [];
    private readonly Dictionary<string, RunFollows> _runs = new(StringComparer.Ordinal);

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

    /// <summary>
    /// The recent longest delay in ms from <paramref name="from"/>'s completion to <paramref name="to"/>'s; when
    /// <paramref name="to"/> has never followed, the longest of <paramref name="from"/>'s other successors; null when none is known.
    /// </summary>
    public double? DelayMs(string from, string to)
    {
        if (_rates.TryGetValue((from, to), out var rate) && rate.DelayMs > 0)
        {
            return rate.DelayMs;
        }

        double? longest = null;
        foreach (var ((source, _), sibling) in _rates)
        {
            if (source == from && sibling.DelayMs > 0)
            {
                longest = Math.Max(longest ?? 0, sibling.DelayMs);
            }
        }

        return longest;
    }

    /// <summary>
    /// The functions that follow a run of <paramref name="from"/>, with the share of its recent runs they followed:
    /// what runs after <paramref name="from"/> before its completion exists to ask the Triggers. Unlike
    /// <see cref="Probability"/>, which is conditioned on a Trigger having fired, this counts every run: an alarm
    /// that follows only the detections a filter lets through follows a small share of detect's runs.
    /// </summary>
    public IEnumerable<(string To, double Probability)> Followers(string from)
    {
        if (!_runs.TryGetValue(from, out var runs) || runs.Runs <= 0)
        {
            yield break;
        }

        foreach (var (to, followed) in runs.Followed)
        {
            yield return (to, Math.Min(1, followed / runs.Runs));
        }
    }

    /// <summary>One judged run of <paramref name="from"/> and the functions that followed it (decayed like the rates).</summary>
    public void ObserveRun(string from, IEnumerable<string> followed)
    {
        ArgumentNullException.ThrowIfNull(followed);
        if (!_runs.TryGetValue(from, out var runs))
        {
            runs = new RunFollows();
            _runs[from] = runs;
        }

        runs.Runs = (runs.Runs * Decay) + 1;
        foreach (var to in runs.Followed.Keys.ToList())
        {
            var weight = runs.Followed[to] * Decay;
            if (weight < DecayedCounts.Negligible)
            {
                runs.Followed.Remove(to);
            }
            else
            {
                runs.Followed[to] = weight;
            }
        }

        foreach (var to in followed)
        {
            runs.Followed[to] = runs.Followed.GetValueOrDefault(to) + 1;
        }
    }

    /// <summary>A successor of a run already judged arrived late: count it as having followed.</summary>
    public void CorrectRun(string from, string to)
    {
        if (_runs.TryGetValue(from, out var runs))
        {
            runs.Followed[to] = Math.Min(runs.Runs, runs.Followed.GetValueOrDefault(to) + 1);
        }
    }

    public IEnumerable<(string From, double Runs, IReadOnlyDictionary<string, double> Followed)> ExportRuns() =>
        _runs.Select(p => (p.Key, p.Value.Runs, (IReadOnlyDictionary<string, double>)p.Value.Followed.ToDictionary()));

    public void ImportRuns(string from, double runs, IReadOnlyDictionary<string, double> followed)
    {
        ArgumentNullException.ThrowIfNull(followed);
        if (!double.IsFinite(runs) || runs <= 0)
        {
            return;
        }

        var imported = new RunFollows { Runs = runs };
        foreach (var (to, weight) in followed)
        {
            if (double.IsFinite(weight) && weight > 0 && weight <= runs + 1e-9)
            {
                imported.Followed[to] = weight;
            }
        }

        _runs[from] = imported;
    }

    /// <summary>Records one resolved invocation: <paramref name="followed"/> is whether <paramref name="to"/>'s completion came.</summary>
    public void Observe(string from, string to, bool followed)
    {
        var rate = _rates.GetValueOrDefault((from, to));
        _rates[(from, to)] = rate with { Followed = (rate.Followed * Decay) + (followed ? 1 : 0), Offered = (rate.Offered * Decay) + 1 };
    }

    /// <summary>
    /// A completion arrived after its invocation had been judged not followed: turn that miss into a success.
    /// </summary>
    public void Correct(string from, string to)
    {
        if (_rates.TryGetValue((from, to), out var rate))
        {
            _rates[(from, to)] = rate with { Followed = Math.Min(rate.Offered, rate.Followed + 1) };
        }
    }

    /// <summary>
    /// One observed delay. The estimate is a decayed maximum: it jumps up to a slower successor at once and comes down
    /// gradually, so waiting windows err on the long side.
    /// </summary>
    public void ObserveDelay(string from, string to, double delayMs)
    {
        if (!double.IsFinite(delayMs) || delayMs < 0)
        {
            return;
        }

        var rate = _rates.GetValueOrDefault((from, to));
        _rates[(from, to)] = rate with { DelayMs = Math.Max(delayMs, rate.DelayMs * Decay) };
    }

    public IEnumerable<(string From, string To, double Followed, double Offered, double DelayMs)> Export() =>
        _rates.Select(p => (p.Key.From, p.Key.To, p.Value.Followed, p.Value.Offered, p.Value.DelayMs));

    public void Import(string from, string to, double followed, double offered, double delayMs)
    {
        if (double.IsFinite(followed) && double.IsFinite(offered) && offered >= 0 && followed >= 0 && followed <= offered + 1e-9
            && double.IsFinite(delayMs) && delayMs >= 0)
        {
            _rates[(from, to)] = new FollowRate(followed, offered, delayMs);
        }
    }

    public void Clear()
    {
        _rates.Clear();
        _runs.Clear();
    }

    private readonly record struct FollowRate(double Followed, double Offered, double DelayMs);

    private sealed class RunFollows
    {
        public double Runs { get; set; }

        public Dictionary<string, double> Followed { get; } = new(StringComparer.Ordinal);
    }
}
