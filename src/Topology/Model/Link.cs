namespace Skylark.Events.Topology;

/// <summary>
/// An undirected link between two nodes with one-way latency and bandwidth (the same both ways).
/// <see cref="A"/> and <see cref="B"/> keep the order they were written in; <see cref="Connects"/> ignores it.
/// </summary>
public sealed record Link
{
    public Link(string a, string b, double latencyMs, double bandwidthMbps)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b))
        {
            throw new TopologyValidationException("a link needs two node names (a and b).");
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            throw new TopologyValidationException($"link {a}–{b} connects '{a}' to itself.");
        }

        if (!double.IsFinite(latencyMs) || latencyMs < 0)
        {
            throw new TopologyValidationException($"link {a}–{b}: latencyMs must be a finite number ≥ 0, got {latencyMs}.");
        }

        if (!double.IsFinite(bandwidthMbps) || bandwidthMbps <= 0)
        {
            throw new TopologyValidationException($"link {a}–{b}: bandwidthMbps must be a finite number > 0, got {bandwidthMbps}.");
        }

        A = a;
        B = b;
        LatencyMs = latencyMs;
        BandwidthMbps = bandwidthMbps;
    }

    public string A { get; }

    public string B { get; }

    /// <summary>One-way latency in milliseconds.</summary>
    public double LatencyMs { get; }

    /// <summary>Bandwidth in Mbit/s (10^6 bit/s), per direction.</summary>
    public double BandwidthMbps { get; }

    public LinkConditions Conditions => new(LatencyMs, BandwidthMbps);

    /// <summary>True when this link joins <paramref name="x"/> and <paramref name="y"/>, in either order.</summary>
    public bool Connects(string x, string y) =>
        (string.Equals(A, x, StringComparison.Ordinal) && string.Equals(B, y, StringComparison.Ordinal))
        || (string.Equals(A, y, StringComparison.Ordinal) && string.Equals(B, x, StringComparison.Ordinal));

    /// <summary>The end that is not <paramref name="node"/>.</summary>
    public string Other(string node) =>
        string.Equals(node, A, StringComparison.Ordinal) ? B
        : string.Equals(node, B, StringComparison.Ordinal) ? A
        : throw new ArgumentException($"link {A}–{B} does not touch '{node}'.", nameof(node));

    public override string ToString() => $"{A}–{B} ({LatencyMs} ms, {BandwidthMbps} Mbit/s)";
}
