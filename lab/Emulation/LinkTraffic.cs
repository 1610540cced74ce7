namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Payload bytes carried by one direction (<see cref="From"/> → <see cref="To"/>) of a physical link:
/// <see cref="StateBytes"/> of bundles and <see cref="ControlBytes"/> of events (see <see cref="TrafficClass"/>).
/// </summary>
public sealed record LinkTraffic(string From, string To, long StateBytes, long ControlBytes)
{
    /// <summary><c>from-&gt;to</c>: the key of this link in a report.</summary>
    public string Name => $"{From}->{To}";

    /// <summary>All payload bytes, state and control.</summary>
    public long Bytes => StateBytes + ControlBytes;
}
