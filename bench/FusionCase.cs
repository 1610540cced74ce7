namespace Skylark.Events.Benchmarks;

/// <summary>
/// One case: B bundles read separately (B requests one after the other) and fused (one request), each repetition's
/// wall-clock duration in milliseconds. <see cref="LatencyMs"/> and <see cref="BandwidthMbps"/> are null for local reads.
/// </summary>
public sealed record FusionCase(
    FusionPlacement Placement,
    int Bundles,
    long BytesPerRead,
    double? LatencyMs,
    double? BandwidthMbps,
    IReadOnlyList<double> SeparateMs,
    IReadOnlyList<double> FusedMs)
{
    /// <summary>Bytes of each bundle (one item of random data).</summary>
    public long BundleBytes => BytesPerRead / Bundles;

    public BenchmarkStatistic Separate { get; } = BenchmarkStatistic.Of(SeparateMs);

    public BenchmarkStatistic Fused { get; } = BenchmarkStatistic.Of(FusedMs);

    /// <summary>1 − fused / separate, of the medians.</summary>
    public double LatencyReduction => 1 - (Fused.Median / Separate.Median);

    /// <summary>
    /// What fusion can save on a link in theory: B − 1 round trips out of B × (round trip + transfer), ignoring
    /// request and server time. Null for local reads.
    /// </summary>
    public double? ExpectedReduction => LatencyMs is { } latency && BandwidthMbps is { } bandwidth
        ? (Bundles - 1) * 2 * latency / (Bundles * ((2 * latency) + TransferMs(BundleBytes, bandwidth)))
        : null;

    /// <summary>Goodput of each fused read (bundle bytes over its duration), in Mbit/s.</summary>
    public BenchmarkStatistic FusedMbps { get; } = BenchmarkStatistic.Of(FusedMs.Select(ms => BytesPerRead * 8 / (ms / 1000) / 1e6));

    internal static double TransferMs(long bytes, double bandwidthMbps) => bytes * 8 / (bandwidthMbps * 1e6) * 1000;
}
