namespace Skylark.Events.Topology;

/// <summary>The link set changed: <see cref="Current"/> replaced <see cref="Previous"/> at <see cref="At"/>.</summary>
public sealed record SnapshotChange(int PreviousIndex, TopologySnapshot Previous, int CurrentIndex, TopologySnapshot Current, DateTimeOffset At);
