using Skylark.Events.Cli.Commands;
using Skylark.Events.Lab.Demo;

namespace Skylark.Events.Tests.Lab.Demo;

public sealed class CompareTableTests
{
    private static DemoReport Report(string mode, double p50, long? wasted) => new(
        mode,
        "camera-constellation",
        "locality-aware",
        30,
        7,
        2,
        420,
        new WorkflowCounts(420, 420, 0, 0),
        new LatencySummaryMs(p50, p50 * 2, p50 * 3, p50 * 1.1, p50 * 4, 420),
        new LatencySummaryMs(12.5, 20, 30, 14.5, 40, 420),
        new StateReadCounts(900, 100, 0),
        new PredictionSummary(null, null, 0, 0, 0),
        new BytesMoved(6_000_000, 5_000_000, 1_000_000, wasted, new Dictionary<string, long>(), new Dictionary<string, long>()),
        new DetectionSummary(1, 1, 300),
        10,
        10,
        0);

    [Fact]
    public void Every_mode_is_one_row_with_latency_read_wait_reads_and_bytes()
    {
        var table = DemoCommand.CompareTable([Report("skylark", 100, 250_000), Report("central", 900, null)]);

        var rows = table.Split(Environment.NewLine).Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.StartsWith("| mode | workflows | p50 ms | p95 ms | mean ms | read wait ms (mean)", rows[0], StringComparison.Ordinal);
        Assert.Equal("| skylark | 420 | 100 | 200 | 110 | 14.5 | 100.0 % | 5.00 | 1.00 | 0.25 |", rows[1]);
        Assert.EndsWith("| 5.00 | 1.00 | - |", rows[2], StringComparison.Ordinal);
        Assert.Contains("camera-constellation (locality-aware serving), 7 camera(s) at 2 fps, 30 s each", table, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compared_modes_are_the_product_databelt_and_both_baselines()
    {
        Assert.Equal(["skylark", "databelt", "ondemand", "central"], DemoCommand.ComparedModes.Select(m => Skylark.Events.Lab.Up.StateModes.Name(m)));
    }
}
