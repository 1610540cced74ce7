using System.Text.Json;
using Skylark.Events.Cli.Commands;

namespace Skylark.Events.Tests.Cli.Bench;

/// <summary>The <c>--json</c> document's <c>summary</c> and <c>figures</c> keep exactly their documented key names.</summary>
public sealed class BenchSummaryTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [Fact]
    public void Summary_has_exactly_the_headline_keys()
    {
        var summary = new BenchSummary(0.75, 1, 3.6, 0.7, 0.97, 0.6, 0.9, 0.85);
        Assert.Equal(
            [
                "e2eLatencyReductionVsCentral_5MB",
                "localStateAvailability",
                "throughputGainVsCentral",
                "fusionLatencyReduction_B5",
                "pullGoodputVsLink_10MB",
                "electionMs_graph10000",
                "brokerThroughputVsMinimalRelay",
                "durableBrokerThroughputVsBroker",
            ],
            Keys(summary));
    }

    [Fact]
    public void Figures_hold_the_ratios_against_bare_Kestrel_and_the_election_with_its_precompute()
    {
        var figures = new BenchFigures(0.44, 0.3, 0.48, 0.015, 0.98, 9.1, 0.74, 3.6, double.NaN);
        var keys = Keys(figures);
        Assert.Contains("brokerThroughputVsBareKestrel", keys);
        Assert.Contains("electionMsWithPrecompute_graph10000", keys);
        Assert.Contains("fusionLatencyReduction_B5_10MB", keys);
        Assert.DoesNotContain("brokerThroughputVsMinimalRelay", keys);
    }

    private static string[] Keys<T>(T value)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(value, Web));
        return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
    }
}
