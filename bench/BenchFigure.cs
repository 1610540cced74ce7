using System.Globalization;

namespace Skylark.Events.Benchmarks;

/// <summary>
/// One headline figure of <c>skylark bench --json</c>: its summary key, the value measured in this run and, where the
/// figure has one, its target (met when the value is on the right side of it; NaN is never met).
/// </summary>
public sealed record BenchFigure(string Key, double Value, double? AtMost = null, double? AtLeast = null)
{
    public bool? Met =>
        AtMost is { } most ? Value <= most
        : AtLeast is { } least ? Value >= least
        : null;

    public override string ToString()
    {
        var target = AtMost is { } most ? string.Create(CultureInfo.InvariantCulture, $"target <= {most:0.###}")
            : AtLeast is { } least ? string.Create(CultureInfo.InvariantCulture, $"target >= {least:0.###}")
            : "no target";
        var verdict = Met switch { true => "met", false => "MISSED", null => "" };
        return string.Create(CultureInfo.InvariantCulture, $"{Key}: {Value:0.###} ({target}) {verdict}").TrimEnd();
    }
}
