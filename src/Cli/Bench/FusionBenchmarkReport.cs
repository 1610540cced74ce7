using System.Globalization;
using System.Text;

namespace Skylark.Events.Cli.Bench;

/// <summary>Everything one <see cref="FusionBenchmark.RunAsync"/> measured.</summary>
public sealed record FusionBenchmarkReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int ProcessorCount,
    double MemoryGiB,
    FusionBenchmarkOptions Options,
    IReadOnlyList<FusionCase> Cases)
{
    /// <summary>The cloud case with the most bundles, which also gives <see cref="PullThroughputFraction"/>.</summary>
    public FusionCase? LargestCloudCase => Cases.Where(c => c.Placement == FusionPlacement.Cloud).MaxBy(c => c.Bundles);

    /// <summary>1 − fused / separate (medians) at B = 5 over the satellite–cloud link (target ≥ 0.6); NaN when not run.</summary>
    public double FusionLatencyReductionB5 =>
        Cases.FirstOrDefault(c => c.Placement == FusionPlacement.Cloud && c.Bundles == 5) is { } b5 ? b5.LatencyReduction : double.NaN;

    /// <summary>
    /// Median goodput of the largest fused pull from the cloud (bundle bytes over the whole request, round trip
    /// included) relative to the link's bandwidth (target ≥ 0.9); NaN when the cloud case was not run.
    /// </summary>
    public double PullThroughputFraction =>
        LargestCloudCase is { } largest ? largest.FusedMbps.Median / Options.CloudBandwidthMbps : double.NaN;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Fused vs sequential bundle reads ({StartedAt:yyyy-MM-dd HH:mm} UTC)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {ProcessorCount} cores, {MemoryGiB:F1} GiB RAM. Repetitions: {Options.Repetitions} per case (median [min..max]), after one unmeasured warm-up pull per link; run took {Duration.TotalSeconds:F0} s.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Bundles: {Options.BundleBytes:N0} bytes of random (incompressible) data each, one item per bundle, in the holder's redis-server. " +
            $"Links: LinkProxy (one-way latency per direction, bandwidth paced per direction) in front of the holder's StateSink; " +
            $"separate = B × HttpBundlePuller.PullAsync (GET, one after the other, pooled keep-alive connection), fused = one PullManyAsync (POST /peer/bundles:fetch). " +
            $"Local = BundleStore.ReadAsync × B vs one ReadManyAsync.");
        md.AppendLine();
        md.AppendLine("| State held | Link | B | Separate (ms) | Fused (ms) | Reduction | Expected (B−1 RTTs) | Fused goodput (Mbit/s) |");
        md.AppendLine("|---|---|---:|---|---|---:|---:|---|");
        foreach (var c in Cases)
        {
            var link = c.LatencyMs is { } latency ? string.Create(CultureInfo.InvariantCulture, $"{latency:0.#} ms / {c.BandwidthMbps:0.#} Mbit/s") : "none (local Redis)";
            var expected = c.ExpectedReduction is { } e ? Percent(e) : "—";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Describe(c.Placement)} | {link} | {c.Bundles} | {Stat(c.Separate)} | {Stat(c.Fused)} | {Percent(c.LatencyReduction)} | {expected} | {Stat(c.FusedMbps)} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- FusionLatencyReductionB5 (cloud link, B = 5): {Percent(FusionLatencyReductionB5)} (target ≥ 60 %).");
        md.AppendLine(CultureInfo.InvariantCulture, $"- PullThroughputFraction ({LargestCloudCase?.Bundles ?? 0} × {Options.BundleBytes:N0} bytes fused from the cloud, over {Options.CloudBandwidthMbps:0.#} Mbit/s): {Percent(PullThroughputFraction)} (target ≥ 90 %).");
        if (LargestCloudCase is { } largest)
        {
            var transfer = FusionCase.TransferMs(largest.BytesPerRead, Options.CloudBandwidthMbps);
            var rtt = 2 * Options.CloudLatencyMs;
            md.AppendLine(CultureInfo.InvariantCulture, $"- Arithmetic: {largest.Bundles} bundles take {transfer:F0} ms on the wire at {Options.CloudBandwidthMbps:0.#} Mbit/s whichever way they are asked for; " +
                $"fusion saves only the {largest.Bundles - 1} extra round trips of {rtt:0.#} ms = {(largest.Bundles - 1) * rtt:F0} ms, " +
                $"at most {Percent(largest.ExpectedReduction ?? double.NaN)} of the sequential time.");
        }

        return md.ToString();
    }

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
