using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Emulation;

/// <summary>
/// Traffic from one node to another over the physical links of its lowest-latency path in the current
/// snapshot. A chunk reserves its bytes on every link of the path, each at that link's own rate, and
/// leaves when the last reservation ends: cut-through, so a path is as fast as its narrowest (or most
/// contended) link without paying a chunk's serialisation once per hop. Links are shared with every other
/// path crossing them, which is what makes pairs contend.
/// </summary>
internal sealed class PathWire(TopologyClock clock, IReadOnlyList<PathPlan?> plansBySnapshot, Action<int> entered) : ILinkWire
{
    public bool TryGetBytesPerSecond(out double bytesPerSecond)
    {
        var plan = plansBySnapshot[clock.CurrentIndex];
        bytesPerSecond = plan?.BottleneckBytesPerSecond ?? 0;
        return plan is not null;
    }

    public bool TrySchedule(WireFlow flow, long arrival, int bytes, int burstBytes, out ScheduledChunk scheduled)
    {
        if (plansBySnapshot[clock.CurrentIndex] is not { } plan)
        {
            scheduled = default;
            return false;
        }

        var departure = arrival;
        var fairShare = double.PositiveInfinity;
        foreach (var hop in plan.Hops)
        {
            departure = Math.Max(departure, hop.Link.Reserve(flow, arrival, bytes, hop.BytesPerSecond, burstBytes, out var flows));
            fairShare = Math.Min(fairShare, hop.BytesPerSecond / flows);
        }

        entered(bytes);
        scheduled = new ScheduledChunk(departure, departure + plan.LatencyTicks, fairShare);
        return true;
    }
}
