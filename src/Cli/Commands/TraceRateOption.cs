using System.CommandLine;
using System.Globalization;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>--traces-per-second &lt;n|all&gt;</c> of <c>up</c> and <c>demo</c>: how many new traces a second the in-memory
/// trace store records (docs/tracing.md).
/// </summary>
public static class TraceRateOption
{
    public const string All = "all";

    public static Option<string> Create() => new("--traces-per-second")
    {
        Description = $"How many new traces a second are recorded for the dashboard and skylark trace (each kept whole); '{All}' records every one, which costs a busy broker a fifth to a third of its throughput.",
        DefaultValueFactory = _ => TraceStore.DefaultNewTracesPerSecond.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The rate, or null for every trace.</summary>
    /// <exception cref="FormatException">Neither a positive number nor <c>all</c>.</exception>
    public static double? Parse(string? text)
    {
        if (text is null)
        {
            return TraceStore.DefaultNewTracesPerSecond;
        }

        if (string.Equals(text.Trim(), All, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)
            ? rate
            : throw new FormatException($"--traces-per-second '{text}': use a positive number of traces a second, or '{All}'.");
    }
}
