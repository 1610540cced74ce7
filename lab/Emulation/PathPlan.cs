namespace Skylark.Events.Lab.Emulation;

/// <summary>One link of a path and its rate in the snapshot the path belongs to.</summary>
internal readonly record struct PathHop(PhysicalLink Link, double BytesPerSecond);

/// <summary>A path of one snapshot, ready for per-chunk use: its hops in order, narrowest rate and total latency in timestamp ticks.</summary>
internal sealed class PathPlan(PathHop[] hops, double bottleneckBytesPerSecond, long latencyTicks)
{
    public PathHop[] Hops { get; } = hops;

    public double BottleneckBytesPerSecond { get; } = bottleneckBytesPerSecond;

    public long LatencyTicks { get; } = latencyTicks;
}
