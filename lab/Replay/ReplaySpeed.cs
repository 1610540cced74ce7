using System.Globalization;

namespace Skylark.Events.Lab.Replay;

/// <summary>How fast a replay goes: <c>max</c> (no waiting) or a factor of the recorded pace (<c>1x</c>, <c>10x</c>, <c>0.5x</c>).</summary>
public readonly record struct ReplaySpeed
{
    private ReplaySpeed(double? factor) => Factor = factor;

    public static ReplaySpeed Max { get; } = new(null);

    /// <summary>Null for <see cref="Max"/>.</summary>
    public double? Factor { get; }

    public static ReplaySpeed Times(double factor) =>
        double.IsFinite(factor) && factor > 0 ? new ReplaySpeed(factor) : throw new ArgumentOutOfRangeException(nameof(factor), factor, "A replay speed must be a positive number.");

    /// <exception cref="FormatException">Neither <c>max</c> nor <c>&lt;N&gt;x</c> with N &gt; 0.</exception>
    public static ReplaySpeed Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return Max;
        }

        if (value.EndsWith('x') || value.EndsWith('X'))
        {
            value = value[..^1];
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && double.IsFinite(factor) && factor > 0
            ? new ReplaySpeed(factor)
            : throw new FormatException($"'{text}' is not a replay speed: use max, 1x, 10x, 0.5x…");
    }

    /// <summary>When an event recorded <paramref name="recordedGap"/> after the first should be sent, from the start of the replay.</summary>
    public TimeSpan Scale(TimeSpan recordedGap) =>
        Factor is { } factor && recordedGap > TimeSpan.Zero ? recordedGap / factor : TimeSpan.Zero;

    public override string ToString() => Factor is { } factor ? factor.ToString("0.###", CultureInfo.InvariantCulture) + "x" : "max";
}
