namespace Skylark.Events.Topology;

/// <summary>
/// Which snapshot is current at a given time: snapshot <c>k</c> holds during
/// <c>[Epoch + k·period, Epoch + (k+1)·period)</c>, wrapping around after the last one (an orbit repeats).
/// Pure arithmetic on timestamps, so it answers for the past and the future alike.
/// </summary>
public sealed class SnapshotSchedule
{
    public SnapshotSchedule(NetworkTopology topology, DateTimeOffset epoch)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Topology = topology;
        Epoch = epoch;
    }

    public NetworkTopology Topology { get; }

    /// <summary>When snapshot 0 began.</summary>
    public DateTimeOffset Epoch { get; }

    public IReadOnlyList<TopologySnapshot> Snapshots => Topology.Snapshots;

    public int IndexAt(DateTimeOffset time) =>
        Topology.SnapshotPeriod is not { } period ? 0 : (int)Mod(Slot(time, period), Snapshots.Count);

    public TopologySnapshot At(DateTimeOffset time) => Snapshots[IndexAt(time)];

    /// <summary>The snapshot that replaces the one current at <paramref name="time"/> (itself for a static topology).</summary>
    public TopologySnapshot NextAfter(DateTimeOffset time) => Snapshots[NextIndexAfter(time)];

    public int NextIndexAfter(DateTimeOffset time) => (IndexAt(time) + 1) % Snapshots.Count;

    /// <summary>When the snapshot current at <paramref name="time"/> ends; null for a static topology.</summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset time) =>
        Topology.SnapshotPeriod is not { } period ? null : Epoch + (period * (Slot(time, period) + 1));

    /// <summary>How long the snapshot current at <paramref name="time"/> still holds; null for a static topology.</summary>
    public TimeSpan? RemainingAt(DateTimeOffset time) => NextChangeAfter(time) - time;

    private long Slot(DateTimeOffset time, TimeSpan period)
    {
        // Floor division, so times before the epoch map to the end of the previous rotation.
        var elapsed = (time - Epoch).Ticks;
        var slot = elapsed / period.Ticks;
        return elapsed % period.Ticks < 0 ? slot - 1 : slot;
    }

    private static long Mod(long value, int modulus) => ((value % modulus) + modulus) % modulus;
}
