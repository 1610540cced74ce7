using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// One direction of a standalone proxy: a single virtual wire with the conditions a provider gives for
/// each chunk (null: down). Every connection through the proxy shares it.
/// </summary>
internal sealed class ConditionsWire(Func<LinkConditions?> conditions, TimeProvider time) : ILinkWire
{
    private readonly LinkPacer _pacer = new(time);

    public bool TryGetBytesPerSecond(out double bytesPerSecond)
    {
        var current = conditions();
        bytesPerSecond = current?.BytesPerSecond ?? 0;
        return current is not null;
    }

    public bool TrySchedule(WireFlow flow, long arrival, int bytes, int burstBytes, out ScheduledChunk scheduled)
    {
        if (conditions() is not { } current)
        {
            scheduled = default;
            return false;
        }

        var departure = _pacer.Depart(flow, arrival, bytes, current.BytesPerSecond, burstBytes, out var flows);

        // The last bit leaves at `departure` and reaches the other end one latency later.
        var due = departure + (long)(current.LatencyMs * time.TimestampFrequency / 1000.0);
        scheduled = new ScheduledChunk(departure, due, current.BytesPerSecond / flows);
        return true;
    }
}
