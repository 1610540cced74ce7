namespace Skylark.Events.Functions.Alarm;

/// <summary>The alarm policy as a pure function of (state, settings, observation, now), so it is tested without I/O.</summary>
public static class AlarmDebouncer
{
    public const string Raised = "raised";
    public const string Debouncing = "debouncing";
    public const string CoolingDown = "cooldown";

    /// <summary>
    /// Adds <paramref name="observation"/> and decides which of its zones raise. An observation of a workflow already
    /// in the window is a redelivery: nothing changes and <see cref="AlarmDecision.Duplicate"/> is set.
    /// </summary>
    public static AlarmDecision Decide(AlarmState state, AlarmSettings settings, AlarmObservation observation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(observation);
        if (state.Observations.Any(o => string.Equals(o.WorkflowId, observation.WorkflowId, StringComparison.Ordinal)))
        {
            return new AlarmDecision(state, [], [], Duplicate: true);
        }

        var windowStart = now - settings.Window;
        List<AlarmObservation> window = [.. state.Observations.Where(o => o.At > windowStart), observation];
        if (window.Count > settings.WindowSize)
        {
            window.RemoveRange(0, window.Count - settings.WindowSize);
        }

        // Only zones still cooling down matter; dropping the rest keeps the state bounded by the grid.
        var lastRaised = state.LastRaised
            .Where(z => now - z.Value < settings.Cooldown)
            .ToDictionary(z => z.Key, z => z.Value, StringComparer.Ordinal);
        var evaluations = new List<ZoneEvaluation>();
        var raised = new List<string>();
        foreach (var zone in observation.Zones.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var positives = window.Count(o => o.Zones.Contains(zone, StringComparer.Ordinal));
            if (positives < settings.RequiredPositives)
            {
                evaluations.Add(new ZoneEvaluation(zone, positives, settings.RequiredPositives, Debouncing, null));
            }
            else if (lastRaised.TryGetValue(zone, out var last))
            {
                evaluations.Add(new ZoneEvaluation(zone, positives, settings.RequiredPositives, CoolingDown, last + settings.Cooldown));
            }
            else
            {
                evaluations.Add(new ZoneEvaluation(zone, positives, settings.RequiredPositives, Raised, null));
                raised.Add(zone);
                if (settings.Cooldown > TimeSpan.Zero)
                {
                    lastRaised[zone] = now;
                }
            }
        }

        return new AlarmDecision(new AlarmState(window, lastRaised), raised, evaluations, Duplicate: false);
    }
}

/// <summary>The new state, the zones that raised, and why each observed zone did or did not.</summary>
public sealed record AlarmDecision(AlarmState State, IReadOnlyList<string> Raised, IReadOnlyList<ZoneEvaluation> Zones, bool Duplicate);

/// <summary>
/// One zone's verdict: <see cref="Status"/> is <c>raised</c>, <c>debouncing</c> (<see cref="Positives"/> of
/// <see cref="Required"/> so far) or <c>cooldown</c> (until <see cref="CooldownUntil"/>).
/// </summary>
public sealed record ZoneEvaluation(string Zone, int Positives, int Required, string Status, DateTimeOffset? CooldownUntil);
