namespace Skylark.Events.Cli.Emulation;

/// <summary>
/// Serialises one direction of an emulated link: a virtual wire that is busy for <c>bytes / rate</c> per
/// chunk, shared by every connection through the same proxy (they share the link's bandwidth).
/// Equivalent to a token bucket of depth <c>burst</c>, but it computes departure times instead of
/// sleeping: a late timer elsewhere delays when bytes are written, never how many fit on the wire, so
/// scheduler noise does not eat into throughput.
/// </summary>
internal sealed class LinkPacer(TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _wireFree = time.GetTimestamp();

    /// <summary>When the last scheduled byte leaves the wire (timestamp units); may lie in the past.</summary>
    public long WireFree
    {
        get
        {
            lock (_gate)
            {
                return (long)_wireFree;
            }
        }
    }

    /// <summary>When a chunk that reached the proxy at <paramref name="arrival"/> has fully left the sender.</summary>
    public long Depart(long arrival, int bytes, double bytesPerSecond, int burstBytes)
    {
        if (double.IsPositiveInfinity(bytesPerSecond))
        {
            return arrival;
        }

        var ticksPerByte = time.TimestampFrequency / bytesPerSecond;
        lock (_gate)
        {
            // An idle wire banks up to one burst of credit, no more.
            var start = Math.Max(_wireFree, arrival - (burstBytes * ticksPerByte));
            _wireFree = start + (bytes * ticksPerByte);
            return Math.Max(arrival, (long)Math.Ceiling(_wireFree));
        }
    }
}
