using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Cli.Commands;

namespace Skylark.Events.Tests.Benchmarks;

/// <summary>The <c>--json</c> document's <c>summary</c> keeps exactly its documented key names.</summary>
public sealed class BenchSummaryTests
{
    [Fact]
    public void Summary_has_exactly_the_headline_keys()
    {
        Assert.Equal(
            [
                "p50VsOndemand_static_5MB", "readWaitVsOndemand_static_1MB", "p50VsOndemand_replicated", "p50VsOndemand_churn",
                "p50VsDatabelt_static", "p50VsDatabelt_replicated", "p50VsDatabelt_churn", "p99VsDatabelt_churn",
                "wastedBytesVsDatabelt_replicated", "e2eLatencyReductionVsCentral_5MB", "localStateAvailability_churn",
                "throughputGainVsCentral", "throughputGainVsOndemand", "throughputGainVsDatabelt",
                "p50VsOndemand_pipelined", "readWaitVsOndemand_pipelined",
                "fusionLatencyReduction_B5", "pullGoodputVsLink_10MB", "brokerThroughputVsMinimalRelay", "durableBrokerThroughputVsBroker",
                "electionMs_graph10000",
            ],
            BenchCommand.SummaryKeys);
    }

    [Fact]
    public void The_workflow_section_gives_its_summary_keys_even_when_a_scenario_is_missing_as_NaN()
    {
        var empty = new WorkflowBenchmarkReport(DateTimeOffset.UnixEpoch, TimeSpan.Zero, 0, false, []);

        var figures = empty.SummaryFigures();

        Assert.All(figures, f => Assert.Contains(f.Key, BenchCommand.SummaryKeys));
        Assert.All(figures, f => Assert.True(double.IsNaN(f.Value), $"{f.Key} = {f.Value}"));
        Assert.All(figures.Where(f => !f.Key.EndsWith("_pipelined", StringComparison.Ordinal)), f => Assert.False(f.Met ?? true, $"{f.Key}: NaN must not meet its target"));
        Assert.DoesNotContain(empty.OtherFigures(), f => BenchCommand.SummaryKeys.Contains(f.Key));
    }

    [Fact]
    public void The_pipelined_figures_are_measured_without_a_target()
    {
        var figures = new WorkflowBenchmarkReport(DateTimeOffset.UnixEpoch, TimeSpan.Zero, 0, false, []).SummaryFigures();

        var pipelined = figures.Where(f => f.Key.EndsWith("_pipelined", StringComparison.Ordinal)).ToList();

        Assert.Equal(["p50VsOndemand_pipelined", "readWaitVsOndemand_pipelined"], pipelined.Select(f => f.Key));
        Assert.All(pipelined, f => Assert.True(f.AtMost is null && f.AtLeast is null && f.Met is null, f.ToString()));
    }
}
