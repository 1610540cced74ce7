namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// The emulated wire (or wires, for a multi-hop path) that one direction of a <see cref="LinkProxy"/>
/// puts its chunks on. Called for every chunk, so implementations answer from precomputed state and
/// must not allocate.
/// </summary>
internal interface ILinkWire
{
    /// <summary>The rate the chunk size is chosen for (the path's narrowest link), bytes/s; false while the wire is down.</summary>
    bool TryGetBytesPerSecond(out double bytesPerSecond);

    /// <summary>
    /// Reserves wire time for a chunk of <paramref name="bytes"/> that <paramref name="flow"/> read at
    /// <paramref name="arrival"/> (a <see cref="TimeProvider"/> timestamp). False, reserving nothing, while the wire is down.
    /// </summary>
    bool TrySchedule(WireFlow flow, long arrival, int bytes, int burstBytes, out ScheduledChunk scheduled);
}
