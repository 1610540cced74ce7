namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Serialises one direction of an emulated link: a virtual wire that is busy for <c>bytes / rate</c> per
/// chunk, shared by every connection on the same wire (they share its bandwidth).
/// Equivalent to a token bucket of depth <c>burst</c>, but it computes departure times instead of
/// sleeping: a late timer elsewhere delays when bytes are written, never how many fit on the wire, so
/// scheduler noise does not eat into throughput. It also counts the flows queued on it, from which
/// each flow's fair share follows (see <see cref="WireFlow"/>).
/// </summary>
internal sealed class LinkPacer(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<FlowEntry> _flows = [];
    private double _wireFree = time.GetTimestamp();

    /// <summary>
    /// When a chunk of <paramref name="flow"/> that reached the proxy at <paramref name="arrival"/> has fully left
    /// the sender; <paramref name="activeFlows"/> is how many flows (this one included) have bytes queued on the wire.
    /// </summary>
    public long Depart(WireFlow flow, long arrival, int bytes, double bytesPerSecond, int burstBytes, out int activeFlows)
    {
        lock (_gate)
        {
            long departure;
            if (double.IsPositiveInfinity(bytesPerSecond))
            {
                departure = arrival;
            }
            else
            {
                var ticksPerByte = time.TimestampFrequency / bytesPerSecond;

                // An idle wire banks up to one burst of credit, no more.
                var start = Math.Max(_wireFree, arrival - (burstBytes * ticksPerByte));
                _wireFree = start + (bytes * ticksPerByte);
                departure = Math.Max(arrival, (long)Math.Ceiling(_wireFree));
            }

            activeFlows = Track(flow, departure, arrival);
            return departure;
        }
    }

    /// <summary>
    /// Records the flow's latest departure and counts the flows still queued at <paramref name="now"/>,
    /// forgetting the others. Linear in the flows on this wire (a handful to a few dozen), allocation-free
    /// once the list has grown to them.
    /// </summary>
    private int Track(WireFlow flow, long departure, long now)
    {
        var active = 1;
        var found = false;
        for (var i = _flows.Count - 1; i >= 0; i--)
        {
            var entry = _flows[i];
            if (ReferenceEquals(entry.Flow, flow))
            {
                _flows[i] = new FlowEntry(flow, departure);
                found = true;
            }
            else if (entry.LastDeparture > now)
            {
                active++;
            }
            else
            {
                _flows[i] = _flows[^1];
                _flows.RemoveAt(_flows.Count - 1);
            }
        }

        if (!found)
        {
            _flows.Add(new FlowEntry(flow, departure));
        }

        return active;
    }

    private readonly record struct FlowEntry(WireFlow Flow, long LastDeparture);
}
