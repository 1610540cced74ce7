using System.Globalization;

namespace Skylark.Events.Hosting;

/// <summary>
/// Durations as people write them in flags and environment variables: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>,
/// <c>1m30s</c>, or a plain number of seconds.
/// </summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return false;
        }

        if (double.TryParse(rest, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryAdd(ref value, seconds * 1_000);
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || digits == rest.Length
                || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            rest = rest[digits..];
            double unit;
            if (rest.StartsWith("ms"))
            {
                unit = 1;
                rest = rest[2..];
            }
            else
            {
                unit = rest[0] switch { 'h' => 3_600_000, 'm' => 60_000, 's' => 1_000, _ => double.NaN };
                rest = rest[1..];
            }

            if (double.IsNaN(unit) || !TryAdd(ref value, amount * unit))
            {
                return false;
            }
        }

        return true;
    }

    /// <exception cref="FormatException">Not a duration.</exception>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration; use e.g. 500ms, 30s, 2m or 1m30s.");

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1_000 ? $"{value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms"
        : value.TotalSeconds < 60 ? $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : value.TotalMinutes < 60 ? $"{value.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture)}m"
        : $"{value.TotalHours.ToString("0.###", CultureInfo.InvariantCulture)}h";

    private static bool TryAdd(ref TimeSpan total, double milliseconds)
    {
        if (milliseconds + total.TotalMilliseconds >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        total += TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }
}
