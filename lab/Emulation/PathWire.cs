using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Traffic from one node to another over the physical links of its lowest-latency path in the current
/// snapshot. A chunk reserves its bytes on every link of the path, each at that link's own rate, and
/// leaves when the last reservation ends: cut-through, so a path is as fast as its narrowest (or most
/// contended) link without paying a chunk's serialisation once per hop. Links are shared with every other
/// path crossing them, which is what makes pairs contend.
/// </summary>
internal sealed class PathWire(TopologyClock clock, IReadOnlyList<PathPlan?> plansBySnapshot, Action<int, TrafficClass> entered)
{
    // Replaced, never mutated: the plans while some node is cut off, read by every chunk without a lock.
    private volatile IReadOnlyList<PathPlan?>? _detour;

    public bool TryGetBytesPerSecond(out double bytesPerSecond)
    {
        var plan = CurrentPlan();
        bytesPerSecond = plan?.BottleneckBytesPerSecond ?? 0;
        return plan is not null;
    }

    public bool TrySchedule(WireFlow flow, long arrival, int bytes, int burstBytes, TrafficClass traffic, out ScheduledChunk scheduled)
    {
        if (CurrentPlan() is not { } plan)
        {
            scheduled = default;
            return false;
        }

        var departure = arrival;
        var fairShare = double.PositiveInfinity;
        foreach (var hop in plan.Hops)
        {
            departure = Math.Max(departure, hop.Link.Reserve(flow, arrival, bytes, hop.BytesPerSecond, burstBytes, traffic, out var flows));
            fairShare = Math.Min(fairShare, hop.BytesPerSecond / flows);
        }

        entered(bytes, traffic);
        scheduled = new ScheduledChunk(departure, departure + plan.LatencyTicks, fairShare);
        return true;
    }

    /// <summary>
    /// Plans per snapshot that avoid the nodes cut off right now (a path that needs one is null: down), or null to use
    /// the topology's own again.
    /// </summary>
    public void Detour(IReadOnlyList<PathPlan?>? plans) => _detour = plans;

    private PathPlan? CurrentPlan() => (_detour ?? plansBySnapshot)[clock.CurrentIndex];

    /// <summary>This wire as seen by connections of one class: same links and queues, counted under <paramref name="traffic"/>.</summary>
    public ILinkWire As(TrafficClass traffic) => new ClassWire(this, traffic);

    private sealed class ClassWire(PathWire wire, TrafficClass traffic) : ILinkWire
    {
        public bool TryGetBytesPerSecond(out double bytesPerSecond) => wire.TryGetBytesPerSecond(out bytesPerSecond);

        public bool TrySchedule(WireFlow flow, long arrival, int bytes, int burstBytes, out ScheduledChunk scheduled) =>
            wire.TrySchedule(flow, arrival, bytes, burstBytes, traffic, out scheduled);
    }
}
