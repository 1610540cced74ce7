using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Benchmarks;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Benchmarks;

/// <summary>
/// The fusion benchmark on a tiny profile (a few 16 KiB bundles and one 400 kB bundle over the emulated
/// satellite–cloud link): which cases it measures and how the summary figures are derived from them. Timing is only
/// asserted where the link's round trips decide it by a wide margin (fusing 5 small bundles saves 4 of 5 round trips).
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class FusionBenchmarkTests : IAsyncLifetime
{
    private const int LargeBundle = 400_000;

    private FusionBenchmarkReport _report = null!;

    public async Task InitializeAsync() =>
        _report = await FusionBenchmark.RunAsync(
            new FusionBenchmarkOptions
            {
                BundleBytes = LargeBundle,
                Repetitions = 3,
                CloudBundleCounts = [1],
                NeighbourBundleCounts = [],
                LocalBundleCounts = [],
                SmallCloudBundleCounts = [1, 5],
                SmallNeighbourBundleCounts = [2],
            },
            CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Small_bundles_are_16_KiB_and_measured_on_both_links_next_to_the_large_ones()
    {
        Assert.Equal(16_384, new FusionBenchmarkOptions().SmallBundleBytes);
        Assert.Equal(
            [
                (FusionPlacement.Cloud, 16_384L, 1),
                (FusionPlacement.Cloud, 16_384L, 5),
                (FusionPlacement.Cloud, (long)LargeBundle, 1),
                (FusionPlacement.Neighbour, 16_384L, 2),
            ],
            _report.Cases.Select(c => (c.Placement, c.BundleBytes, c.Bundles)));
        Assert.All(_report.Cases, c =>
        {
            Assert.Equal(3, c.SeparateMs.Count);
            Assert.Equal(3, c.FusedMs.Count);
            Assert.Equal(c.Bundles * c.BundleBytes, c.BytesPerRead);
        });
    }

    [Fact]
    public void Fusing_five_small_bundles_from_the_cloud_saves_most_of_their_round_trips()
    {
        var b5 = Assert.Single(_report.Cases, c => c.Placement == FusionPlacement.Cloud && c.Bundles == 5);
        Assert.Equal(b5.LatencyReduction, _report.FusionLatencyReductionB5);
        Assert.InRange(_report.FusionLatencyReductionB5, 0.01, 0.99);

        // Five sequential pulls cannot beat five 40-ms round trips; one fused fetch needs only one.
        Assert.True(b5.Separate.Min >= 5 * 40, $"separate {b5.Separate.Min} ms");
        Assert.True(b5.Fused.Min >= 40, $"fused {b5.Fused.Min} ms");
    }

    [Fact]
    public void Pull_goodput_is_one_large_bundle_pulled_from_the_cloud_over_the_link_bandwidth()
    {
        var single = Assert.Single(_report.Cases, c => c.Placement == FusionPlacement.Cloud && c.BundleBytes == LargeBundle);
        Assert.Equal(single.FusedMbps.Median / 40, _report.PullGoodputVsLink10MB, 9);

        // One round trip on top of 80 ms on the wire: below the link's bandwidth, never above it.
        Assert.InRange(_report.PullGoodputVsLink10MB, 0.05, 1.0);
        Assert.True(double.IsNaN(_report.LargeBundleFusionLatencyReductionB5), "no B = 5 large-bundle case was run");
    }

    [Fact]
    public void The_console_report_names_the_summary_keys_with_their_targets()
    {
        var markdown = _report.ToMarkdown();
        Assert.Contains("| in the cloud | 20 ms / 40 Mbit/s | 16 KiB | 5 |", markdown, StringComparison.Ordinal);
        Assert.Contains("fusionLatencyReduction_B5", markdown, StringComparison.Ordinal);
        Assert.Contains("target >= 0.60", markdown, StringComparison.Ordinal);
        Assert.Contains("pullGoodputVsLink_10MB", markdown, StringComparison.Ordinal);
        Assert.Contains("target >= 0.95", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_serializes_with_its_derived_figures_as_the_bench_json_does()
    {
        var json = JsonSerializer.Serialize(_report, new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(_report.FusionLatencyReductionB5, root.GetProperty("fusionLatencyReductionB5").GetDouble(), 9);
        Assert.Equal(_report.PullGoodputVsLink10MB, root.GetProperty("pullGoodputVsLink10MB").GetDouble(), 9);
        Assert.Equal("NaN", root.GetProperty("largeBundleFusionLatencyReductionB5").GetString());
        Assert.Equal(16_384, root.GetProperty("cases")[0].GetProperty("bundleBytes").GetInt64());
    }

    [Fact]
    public void Small_and_large_bundles_must_differ_in_size()
    {
        var error = Assert.Throws<ArgumentException>(() => new FusionBenchmarkOptions { BundleBytes = 16_384 }.Validate());
        Assert.Contains(nameof(FusionBenchmarkOptions.SmallBundleBytes), error.Message, StringComparison.Ordinal);
    }
}
