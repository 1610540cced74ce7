namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// The name and size of the output bundle each function writes, learned from its completions' <c>statekey</c>. A
/// name counts as the function's only once two completions in a row used it: a function that names its output per
/// run (after a frame number, say) has no name worth predicting, and the Predictor must not propagate a guess.
/// Bounded in functions. Not thread-safe; the owner serialises access.
/// </summary>
public sealed class OutputModel
{
    private const int SettledAfter = 2;

    private readonly Dictionary<string, Output> _outputs = new(StringComparer.Ordinal);
    private long _clock;

    public OutputModel(int maxFunctions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFunctions, 1);
        MaxFunctions = maxFunctions;
    }

    public int MaxFunctions { get; }

    public int Count => _outputs.Count;

    /// <summary>One completion of <paramref name="function"/> whose output bundle was named <paramref name="bundle"/>.</summary>
    public void Observe(string function, string bundle, long? bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        ArgumentException.ThrowIfNullOrEmpty(bundle);
        var known = _outputs.GetValueOrDefault(function);
        _outputs[function] = known is not null && known.Bundle == bundle
            ? known with { Streak = known.Streak + 1, Bytes = bytes ?? known.Bytes, Touched = ++_clock }
            : new Output(bundle, bytes, 1, ++_clock);
        if (_outputs.Count > MaxFunctions)
        {
            _outputs.Remove(_outputs.MinBy(p => p.Value.Touched).Key);
        }
    }

    /// <summary>The bundle <paramref name="function"/> writes every run and its last size; null when not settled.</summary>
    public (string Bundle, long? Bytes)? Predict(string function) =>
        _outputs.TryGetValue(function, out var output) && output.Streak >= SettledAfter ? (output.Bundle, output.Bytes) : null;

    public IEnumerable<(string Function, string Bundle, long? Bytes, int Streak)> Export() =>
        _outputs.OrderBy(p => p.Value.Touched).Select(p => (p.Key, p.Value.Bundle, p.Value.Bytes, p.Value.Streak));

    public void Import(string function, string bundle, long? bytes, int streak)
    {
        if (!string.IsNullOrEmpty(function) && Contracts.StateRef.IsValidSegment(bundle) && streak >= 1 && bytes is null or >= 0)
        {
            _outputs[function] = new Output(bundle, bytes, streak, ++_clock);
        }
    }

    public void Clear() => _outputs.Clear();

    private sealed record Output(string Bundle, long? Bytes, int Streak, long Touched);
}
