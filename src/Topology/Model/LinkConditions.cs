namespace Skylark.Events.Topology;

/// <summary>
/// What a transfer between two nodes experiences: one-way latency and the bandwidth available.
/// <see cref="double.PositiveInfinity"/> bandwidth means unshaped (a node talking to itself).
/// </summary>
public readonly record struct LinkConditions
{
    public LinkConditions(double latencyMs, double bandwidthMbps)
    {
        if (!double.IsFinite(latencyMs) || latencyMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latencyMs), latencyMs, "Latency must be a finite number of milliseconds ≥ 0.");
        }

        if (double.IsNaN(bandwidthMbps) || bandwidthMbps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bandwidthMbps), bandwidthMbps, "Bandwidth must be > 0 Mbit/s.");
        }

        LatencyMs = latencyMs;
        BandwidthMbps = bandwidthMbps;
    }

    /// <summary>Same node: no delay, no shaping.</summary>
    public static LinkConditions Local { get; } = new(0, double.PositiveInfinity);

    public double LatencyMs { get; }

    public double BandwidthMbps { get; }

    /// <summary>Bandwidth in bytes per second (1 Mbit/s = 10^6 bit/s).</summary>
    public double BytesPerSecond => BandwidthMbps * 1e6 / 8;

    /// <summary>Latency plus serialisation of <paramref name="bytes"/> at the bandwidth, in milliseconds.</summary>
    public double TransferTimeMs(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return double.IsPositiveInfinity(BandwidthMbps) ? LatencyMs : LatencyMs + (bytes * 8.0 / (BandwidthMbps * 1e6) * 1000.0);
    }

    public override string ToString() => $"{LatencyMs} ms, {BandwidthMbps} Mbit/s";
}
