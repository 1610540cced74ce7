namespace Skylark.Events.State;

/// <summary>Where a progressive write stands, as <see cref="BundleStore.ReadStagedAsync"/> saw it.</summary>
public enum StagedBundleState
{
    /// <summary>Items are being appended; nothing is visible to readers yet.</summary>
    Staging,

    /// <summary>The write was committed: it is the bundle's current version.</summary>
    Committed,

    /// <summary>Nothing is staged (never begun, abandoned, or expired), and the write asked about was not committed.</summary>
    Gone,

    /// <summary>Another write of the same bundle began since (<see cref="StagedBundleProgress.WriteId"/> is its id).</summary>
    Superseded,
}

/// <summary>
/// A snapshot of a progressive write: its state, its id, how many items it has appended so far and the items from the
/// index asked for on (as many as the read's byte budget allowed, at least one when there was one), in the order they
/// were appended. Version, updated-at and size are set once <see cref="State"/> is <see cref="StagedBundleState.Committed"/>.
/// </summary>
public sealed record StagedBundleProgress(
    StagedBundleState State,
    string? WriteId,
    int ItemCount,
    long Version,
    DateTimeOffset UpdatedAt,
    long SizeBytes,
    IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> Items)
{
    public static StagedBundleProgress Gone { get; } = new(StagedBundleState.Gone, null, 0, 0, DateTimeOffset.UnixEpoch, 0, []);
}
