namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// One direction of a physical link of the topology (<see cref="From"/> → <see cref="To"/>): a virtual
/// wire shared by every emulated connection whose current path crosses it, and the payload bytes it carried
/// per <see cref="TrafficClass"/>. The wire outlives snapshot changes (a link that keeps existing keeps its
/// queue); its rate is the one of the snapshot current when each chunk is scheduled.
/// </summary>
internal sealed class PhysicalLink(string from, string to, TimeProvider time)
{
    private readonly LinkPacer _pacer = new(time);
    private long _stateBytes;
    private long _controlBytes;

    public string From { get; } = from;

    public string To { get; } = to;

    /// <inheritdoc cref="LinkPacer.Depart"/>
    public long Reserve(WireFlow flow, long arrival, int bytes, double bytesPerSecond, int burstBytes, TrafficClass traffic, out int activeFlows)
    {
        Interlocked.Add(ref traffic == TrafficClass.Control ? ref _controlBytes : ref _stateBytes, bytes);
        return _pacer.Depart(flow, arrival, bytes, bytesPerSecond, burstBytes, out activeFlows);
    }

    public LinkTraffic Traffic() => new(From, To, Interlocked.Read(ref _stateBytes), Interlocked.Read(ref _controlBytes));
}
