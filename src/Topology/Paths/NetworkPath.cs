namespace Skylark.Events.Topology;

/// <summary>
/// The lowest-latency route between two nodes in one snapshot: the nodes it crosses, the sum of the
/// link latencies, and the narrowest link's bandwidth (which bounds the transfer rate).
/// </summary>
public sealed class NetworkPath
{
    public NetworkPath(IReadOnlyList<string> nodes, double latencyMs, double bottleneckMbps)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            throw new ArgumentException("A path has at least one node.", nameof(nodes));
        }

        Nodes = nodes;
        Conditions = new LinkConditions(latencyMs, bottleneckMbps);
    }

    /// <summary>From the source to the destination, both included; a single node for a node to itself.</summary>
    public IReadOnlyList<string> Nodes { get; }

    public string From => Nodes[0];

    public string To => Nodes[^1];

    public int Hops => Nodes.Count - 1;

    /// <summary>Sum of one-way link latencies, ms.</summary>
    public double LatencyMs => Conditions.LatencyMs;

    /// <summary>Smallest link bandwidth along the path, Mbit/s (+∞ for a node to itself).</summary>
    public double BottleneckMbps => Conditions.BandwidthMbps;

    /// <summary>The path seen as one link, e.g. for emulating it.</summary>
    public LinkConditions Conditions { get; }

    /// <summary>Path latency plus <c>bytes·8 / (bottleneck·10^6)</c>, in milliseconds.</summary>
    public double TransferTimeMs(long bytes) => Conditions.TransferTimeMs(bytes);

    /// <inheritdoc cref="TransferTimeMs"/>
    public TimeSpan TransferTime(long bytes) => TimeSpan.FromMilliseconds(TransferTimeMs(bytes));

    public override string ToString() => $"{string.Join(" → ", Nodes)} ({Conditions})";
}
