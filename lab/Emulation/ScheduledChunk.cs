namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Where a chunk stands once on the wire: when its last bit has left the sender, when it reaches the
/// other end, and the rate its sender is entitled to right now (its fair share of the most contended
/// link of the path; +∞ on an unlimited wire).
/// </summary>
internal readonly record struct ScheduledChunk(long Departure, long Due, double FairBytesPerSecond);
