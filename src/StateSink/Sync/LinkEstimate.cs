namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// What this sink last measured towards a neighbour's sink: round-trip time of a tiny probe and the throughput of a
/// larger one (its time minus one round trip). <see cref="Error"/> is set when the last probe failed; the figures
/// then are those of the last successful one (0 when there was none).
/// </summary>
public sealed record LinkEstimate(string Node, double RttMs, double ThroughputMbps, int ProbeBytes, DateTimeOffset MeasuredAt, string? Error = null);
