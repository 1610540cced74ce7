namespace Skylark.Events.Benchmarks;

/// <summary>
/// What <see cref="FusionBenchmark"/> measures: fused vs sequential reads of B bundles, for state held in the cloud
/// (across the emulated ground link), on a neighbouring satellite (across an inter-satellite link) and on the reader's
/// own node (local Redis). Two bundle sizes: small bundles (<see cref="SmallBundleBytes"/>), where round trips dominate
/// as in Databelt's fusion experiment, and large ones (<see cref="BundleBytes"/>), where the link's bandwidth does.
/// An empty bundle-count list skips that case.
/// </summary>
public sealed record FusionBenchmarkOptions
{
    /// <summary>Bytes of random (incompressible) data per large bundle, in one item; 10 MB = 10,000,000 bytes.</summary>
    public int BundleBytes { get; init; } = 10_000_000;

    /// <summary>Bytes of random data per small bundle, in one item: 16 KiB = 16,384 bytes.</summary>
    public int SmallBundleBytes { get; init; } = 16 * 1024;

    /// <summary>Measured repetitions per case and bundle count, after one unmeasured warm-up pull per link and size.</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>Large-bundle counts for "state in the cloud": the reader is a satellite, the holder the cloud node.</summary>
    public IReadOnlyList<int> CloudBundleCounts { get; init; } = [1, 3, 5];

    /// <summary>Large-bundle counts for "state on a neighbouring satellite" (one inter-satellite hop).</summary>
    public IReadOnlyList<int> NeighbourBundleCounts { get; init; } = [1, 5];

    /// <summary>Large-bundle counts for "state on the satellite": the holder is the reader's own node.</summary>
    public IReadOnlyList<int> LocalBundleCounts { get; init; } = [1, 2, 3, 4, 5];

    /// <summary>Small-bundle counts for "state in the cloud"; B = 5 gives <c>fusionLatencyReduction_B5</c>.</summary>
    public IReadOnlyList<int> SmallCloudBundleCounts { get; init; } = [1, 2, 3, 4, 5];

    /// <summary>Small-bundle counts for "state on a neighbouring satellite".</summary>
    public IReadOnlyList<int> SmallNeighbourBundleCounts { get; init; } = [1, 2, 3, 4, 5];

    /// <summary>One-way latency of the satellite–cloud link.</summary>
    public double CloudLatencyMs { get; init; } = 20;

    public double CloudBandwidthMbps { get; init; } = 40;

    /// <summary>One-way latency of a satellite–satellite hop: 10 ms in Databelt's testbed (topologies/databelt-testbed.yaml).</summary>
    public double NeighbourLatencyMs { get; init; } = 10;

    /// <summary>Bandwidth of a satellite–satellite hop: 90 Mbit/s in Databelt's testbed.</summary>
    public double NeighbourBandwidthMbps { get; init; } = 90;

    /// <summary>
    /// 3 repetitions of one 10 MB bundle per link (the goodput figure), B ∈ {1, 5} small bundles over the links and
    /// large ones locally: 5 × 10 MB would take 10 s on the wire per read, and the quick profile has to leave the
    /// workflow scenarios room within its few minutes.
    /// </summary>
    public static FusionBenchmarkOptions Quick => new()
    {
        Repetitions = 3,
        CloudBundleCounts = [1],
        NeighbourBundleCounts = [1],
        LocalBundleCounts = [1, 5],
        SmallCloudBundleCounts = [1, 5],
        SmallNeighbourBundleCounts = [1, 5],
    };

    /// <summary>5 repetitions of B ∈ {1, 3, 5} large bundles to the cloud, B ∈ {1, 5} to a neighbour, B = 1…5 small bundles over the links and large ones locally.</summary>
    public static FusionBenchmarkOptions Full => new();

    /// <summary>Large bundles the holders store: the most any large-bundle case reads.</summary>
    public int MaxBundles => CloudBundleCounts.Concat(NeighbourBundleCounts).Concat(LocalBundleCounts).DefaultIfEmpty(0).Max();

    /// <summary>Small bundles the holders store: the most any small-bundle case reads.</summary>
    public int MaxSmallBundles => SmallCloudBundleCounts.Concat(SmallNeighbourBundleCounts).DefaultIfEmpty(0).Max();

    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BundleBytes, 1, nameof(BundleBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(SmallBundleBytes, 1, nameof(SmallBundleBytes));
        if (SmallBundleBytes == BundleBytes)
        {
            // Cases are told apart by their bundle size.
            throw new ArgumentException($"{nameof(SmallBundleBytes)} must differ from {nameof(BundleBytes)} ({BundleBytes}).", nameof(SmallBundleBytes));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Repetitions, 1, nameof(Repetitions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CloudBandwidthMbps, nameof(CloudBandwidthMbps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NeighbourBandwidthMbps, nameof(NeighbourBandwidthMbps));
        ArgumentOutOfRangeException.ThrowIfNegative(CloudLatencyMs, nameof(CloudLatencyMs));
        ArgumentOutOfRangeException.ThrowIfNegative(NeighbourLatencyMs, nameof(NeighbourLatencyMs));
        RequireCounts(CloudBundleCounts, nameof(CloudBundleCounts));
        RequireCounts(NeighbourBundleCounts, nameof(NeighbourBundleCounts));
        RequireCounts(LocalBundleCounts, nameof(LocalBundleCounts));
        RequireCounts(SmallCloudBundleCounts, nameof(SmallCloudBundleCounts));
        RequireCounts(SmallNeighbourBundleCounts, nameof(SmallNeighbourBundleCounts));
        if (MaxBundles == 0 && MaxSmallBundles == 0)
        {
            throw new ArgumentException("Give at least one bundle count for at least one case.");
        }
    }

    private static void RequireCounts(IReadOnlyList<int> counts, string name)
    {
        ArgumentNullException.ThrowIfNull(counts, name);
        if (counts.Any(c => c is < 1 or > 64))
        {
            throw new ArgumentException($"{name}: every bundle count must be from 1 to 64; got [{string.Join(", ", counts)}].", name);
        }
    }
}
