using System.Globalization;
using System.Text;

namespace Skylark.Events.Benchmarks;

/// <summary>Everything one <see cref="FusionBenchmark.RunAsync"/> measured.</summary>
public sealed record FusionBenchmarkReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int ProcessorCount,
    double MemoryGiB,
    FusionBenchmarkOptions Options,
    IReadOnlyList<FusionCase> Cases)
{
    /// <summary>The large-bundle cloud case with the most bundles, which also gives <see cref="PullThroughputFraction"/>.</summary>
    public FusionCase? LargestCloudCase => Cases.Where(c => c.Placement == FusionPlacement.Cloud && c.BundleBytes == Options.BundleBytes).MaxBy(c => c.Bundles);

    /// <summary>
    /// <c>fusionLatencyReduction_B5</c>: 1 − fused / separate (medians) for B = 5 small bundles
    /// (<see cref="FusionBenchmarkOptions.SmallBundleBytes"/>, 16 KiB) held in the cloud, read over the satellite–cloud
    /// link (target ≥ 0.6); NaN when not run.
    /// </summary>
    public double FusionLatencyReductionB5 => Reduction(FusionPlacement.Cloud, Options.SmallBundleBytes, 5);

    /// <summary>The same for B = 5 large bundles (<see cref="FusionBenchmarkOptions.BundleBytes"/>, 10 MB): bandwidth-bound; NaN when not run.</summary>
    public double LargeBundleFusionLatencyReductionB5 => Reduction(FusionPlacement.Cloud, Options.BundleBytes, 5);

    /// <summary>
    /// <c>pullGoodputVsLink_10MB</c>: the median goodput of one large bundle (10 MB) pulled from the cloud in one
    /// request (bundle bytes × 8 over the whole request's duration, its round trip included) relative to the link's
    /// bandwidth, the physical limit (target ≥ 0.95); NaN when that case was not run.
    /// </summary>
    public double PullGoodputVsLink10MB =>
        Find(FusionPlacement.Cloud, Options.BundleBytes, 1) is { } single ? single.FusedMbps.Median / Options.CloudBandwidthMbps : double.NaN;

    /// <summary>
    /// Median goodput of the largest fused large-bundle pull from the cloud (bundle bytes over the whole request,
    /// round trip included) relative to the link's bandwidth; NaN when the cloud case was not run.
    /// </summary>
    public double PullThroughputFraction =>
        LargestCloudCase is { } largest ? largest.FusedMbps.Median / Options.CloudBandwidthMbps : double.NaN;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Fused vs sequential bundle reads ({StartedAt:yyyy-MM-dd HH:mm} UTC)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {ProcessorCount} cores, {MemoryGiB:F1} GiB RAM. Repetitions: {Options.Repetitions} per case (median [min..max]), after one unmeasured warm-up pull per link and bundle size; run took {Duration.TotalSeconds:F0} s.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Bundles: {Options.SmallBundleBytes:N0} or {Options.BundleBytes:N0} bytes of random (incompressible) data each, one item per bundle, in the holder's redis-server. " +
            $"Links: LinkProxy (one-way latency per direction, bandwidth paced per direction) in front of the holder's StateSink; " +
            $"separate = B × HttpBundlePuller.PullAsync (GET, one after the other, pooled keep-alive connection), fused = one PullManyAsync (POST /peer/bundles:fetch). " +
            $"Local = BundleStore.ReadAsync × B vs one ReadManyAsync.");
        md.AppendLine();
        md.AppendLine("| State held | Link | Bundle | B | Separate (ms) | Fused (ms) | Reduction | Expected (B−1 RTTs) | Fused goodput (Mbit/s) |");
        md.AppendLine("|---|---|---|---:|---|---|---:|---:|---|");
        foreach (var c in Cases)
        {
            var link = c.LatencyMs is { } latency ? string.Create(CultureInfo.InvariantCulture, $"{latency:0.#} ms / {c.BandwidthMbps:0.#} Mbit/s") : "none (local Redis)";
            var expected = c.ExpectedReduction is { } e ? Percent(e) : "—";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Describe(c.Placement)} | {link} | {Size(c.BundleBytes)} | {c.Bundles} | {Stat(c.Separate)} | {Stat(c.Fused)} | {Percent(c.LatencyReduction)} | {expected} | {Stat(c.FusedMbps)} |");
        }

        md.AppendLine();
        var cloudLink = string.Create(CultureInfo.InvariantCulture, $"{Options.CloudLatencyMs:0.#} ms / {Options.CloudBandwidthMbps:0.#} Mbit/s");
        var smallB5 = Find(FusionPlacement.Cloud, Options.SmallBundleBytes, 5);
        md.AppendLine(CultureInfo.InvariantCulture, $"- fusionLatencyReduction_B5 (5 × {Size(Options.SmallBundleBytes)} held in the cloud, {cloudLink}; 1 − fused/separate): " +
            $"{Ratio(FusionLatencyReductionB5)} (target >= 0.60; B−1 round trips of B: {Ratio(smallB5?.ExpectedReduction ?? double.NaN)}).");
        var single = FusionCase.TransferMs(Options.BundleBytes, Options.CloudBandwidthMbps);
        md.AppendLine(CultureInfo.InvariantCulture, $"- pullGoodputVsLink_10MB (one {Size(Options.BundleBytes)} bundle pulled from the cloud, bytes × 8 / request time / {Options.CloudBandwidthMbps:0.#} Mbit/s): " +
            $"{Ratio(PullGoodputVsLink10MB)} (target >= 0.95; one round trip on top of {single:F0} ms on the wire allows {Ratio(single / (single + (2 * Options.CloudLatencyMs)))}).");
        if (Find(FusionPlacement.Cloud, Options.BundleBytes, 5) is { } largeB5)
        {
            var transfer = FusionCase.TransferMs(largeB5.BytesPerRead, Options.CloudBandwidthMbps);
            var rtt = 2 * Options.CloudLatencyMs;
            md.AppendLine(CultureInfo.InvariantCulture, $"- 5 × {Size(Options.BundleBytes)} from the cloud: reduction {Ratio(LargeBundleFusionLatencyReductionB5)}, bandwidth-bound: they take {transfer:F0} ms on the wire at {Options.CloudBandwidthMbps:0.#} Mbit/s whichever way they are asked for; " +
                $"fusion saves only the {largeB5.Bundles - 1} extra round trips of {rtt:0.#} ms = {(largeB5.Bundles - 1) * rtt:F0} ms, at most {Ratio(largeB5.ExpectedReduction ?? double.NaN)} of the sequential time.");
        }

        return md.ToString();
    }

    private FusionCase? Find(FusionPlacement placement, long bundleBytes, int bundles) =>
        Cases.FirstOrDefault(c => c.Placement == placement && c.BundleBytes == bundleBytes && c.Bundles == bundles);

    private double Reduction(FusionPlacement placement, long bundleBytes, int bundles) =>
        Find(placement, bundleBytes, bundles) is { } found ? found.LatencyReduction : double.NaN;

    /// <summary>10,000,000 → "10 MB", 16,384 → "16 KiB", anything else in bytes.</summary>
    private static string Size(long bytes) => bytes switch
    {
        >= 1_000_000 when bytes % 1_000_000 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000} MB"),
        >= 1024 when bytes % 1024 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} B"),
    };

    private static string Ratio(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F3", CultureInfo.InvariantCulture);

    private static string Describe(FusionPlacement placement) => placement switch
    {
        FusionPlacement.Cloud => "in the cloud",
        FusionPlacement.Neighbour => "on a neighbouring satellite",
        _ => "on the satellite (local)",
    };

    private static string Stat(BenchmarkStatistic s) => string.Create(CultureInfo.InvariantCulture, $"{Number(s.Median)} [{Number(s.Min)}..{Number(s.Max)}]");

    private static string Number(double value) => value >= 100
        ? value.ToString("F0", CultureInfo.InvariantCulture)
        : value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNaN(value) ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{value * 100:F1} %");

}
