namespace Skylark.Events.Cli.Emulation;

/// <summary>
/// One direction of a physical link of the topology (<see cref="From"/> → <see cref="To"/>): a virtual
/// wire shared by every emulated connection whose current path crosses it, and the payload bytes it carried.
/// The wire outlives snapshot changes (a link that keeps existing keeps its queue); its rate is the one of
/// the snapshot current when each chunk is scheduled.
/// </summary>
internal sealed class PhysicalLink(string from, string to, TimeProvider time)
{
    private readonly LinkPacer _pacer = new(time);
    private long _bytes;

    public string From { get; } = from;

    public string To { get; } = to;

    /// <summary>Payload bytes scheduled on this link so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <inheritdoc cref="LinkPacer.Depart"/>
    public long Reserve(WireFlow flow, long arrival, int bytes, double bytesPerSecond, int burstBytes, out int activeFlows)
    {
        Interlocked.Add(ref _bytes, bytes);
        return _pacer.Depart(flow, arrival, bytes, bytesPerSecond, burstBytes, out activeFlows);
    }

    public LinkTraffic Traffic() => new(From, To, Bytes);
}
