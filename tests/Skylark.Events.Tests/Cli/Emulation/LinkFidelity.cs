using Xunit.Abstractions;

namespace Skylark.Events.Tests.Cli.Emulation;

/// <summary>
/// Timing-sensitive tests run one after another, never against each other for the CPU. Other processes
/// on a shared 2-core machine can still stall a whole measurement round; stalls only ever make a
/// measurement later, so a round that misses is measured again, and the emulator must hit the target
/// in at least one of a few rounds. A wrong emulator (wrong latency, stop-and-wait, wrong rate) misses
/// every round.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class LinkFidelity
{
    public const string Collection = "link fidelity";

    public const int Rounds = 5;

    /// <summary>Measures up to <see cref="Rounds"/> times until a value lands in [low, high]; fails with every value seen.</summary>
    public static async Task<double> AssertWithinAsync(string what, Func<Task<double>> measure, double low, double high, ITestOutputHelper output)
    {
        var seen = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var value = await measure();
            seen.Add(value);
            output.WriteLine($"{what}: {value:F2} (target {low:F1}..{high:F1})");
            if (value >= low && value <= high)
            {
                return value;
            }
        }

        Assert.Fail($"{what}: no round within {low:F1}..{high:F1}; measured {string.Join(", ", seen.Select(v => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}.");
        return double.NaN;
    }
}
