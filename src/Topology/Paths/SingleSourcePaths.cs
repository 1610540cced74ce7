namespace Skylark.Events.Topology;

/// <summary>Shortest (lowest-latency) paths from one node to every other node of a <see cref="LinkGraph"/>.</summary>
public sealed class SingleSourcePaths
{
    private readonly double[] _latency;
    private readonly double[] _bottleneck;
    private readonly int[] _predecessor;

    internal SingleSourcePaths(LinkGraph graph, int source, double[] latency, double[] bottleneck, int[] predecessor)
    {
        Graph = graph;
        Source = source;
        _latency = latency;
        _bottleneck = bottleneck;
        _predecessor = predecessor;
    }

    public LinkGraph Graph { get; }

    public int Source { get; }

    /// <summary>Path latency to each node in ms, indexed by node; +∞ where unreachable.</summary>
    public ReadOnlySpan<double> LatenciesMs => _latency;

    /// <summary>Narrowest bandwidth along each path in Mbit/s; +∞ for the source itself, 0 where unreachable.</summary>
    public ReadOnlySpan<double> BottlenecksMbps => _bottleneck;

    /// <summary>The node before each node on its path (-1 for the source and unreachable nodes).</summary>
    public ReadOnlySpan<int> Predecessors => _predecessor;

    public bool IsReachable(int target) => !double.IsPositiveInfinity(_latency[target]);

    public double LatencyMs(int target) => _latency[target];

    public double BottleneckMbps(int target) => _bottleneck[target];

    /// <summary>Node indices from the source to <paramref name="target"/> inclusive; empty when unreachable.</summary>
    public int[] PathTo(int target) => Walk(_predecessor, Source, target, IsReachable(target));

    internal static int[] Walk(ReadOnlySpan<int> predecessor, int source, int target, bool reachable)
    {
        if (!reachable)
        {
            return [];
        }

        var length = 1;
        for (var v = target; v != source; v = predecessor[v])
        {
            length++;
        }

        var path = new int[length];
        var node = target;
        for (var i = length - 1; i >= 0; i--)
        {
            path[i] = node;
            if (i > 0)
            {
                node = predecessor[node];
            }
        }

        return path;
    }
}
