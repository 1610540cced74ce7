using Skylark.Events.Contracts;

namespace Skylark.Events.State.Wire;

/// <summary>
/// One entry of a bundle stream: a whole <see cref="Bundle"/>, or the fact that the sender does not hold it, or that
/// the receiver's version is current, or a bundle streamed item by item while it was written (committed, or aborted
/// with <see cref="AbortReason"/>). <see cref="Version"/> is the sender's version (0 when not found or aborted).
/// </summary>
public sealed record BundleWireEntry
{
    private BundleWireEntry(BundleWireStatus status, StateRef stateRef, long version, Bundle? bundle)
    {
        Status = status;
        StateRef = stateRef;
        Version = version;
        Bundle = bundle;
        SizeBytes = bundle?.SizeBytes ?? 0;
        ItemCount = bundle?.Items.Count ?? 0;
        UpdatedAt = bundle?.UpdatedAt;
    }

    public BundleWireStatus Status { get; }

    public StateRef StateRef { get; }

    public long Version { get; }

    /// <summary>
    /// Set when <see cref="Status"/> is <see cref="BundleWireStatus.Found"/>, and for a committed streamed entry that the
    /// reader assembled in memory (null when its items went to an <see cref="IStreamedBundleReceiver"/>).
    /// </summary>
    public Bundle? Bundle { get; }

    /// <summary>Of a found or committed streamed entry: when the sender's version was written.</summary>
    public DateTimeOffset? UpdatedAt { get; private init; }

    /// <summary>Of a found or committed streamed entry: its items' names plus values (<see cref="BundleItems.SizeBytes"/>).</summary>
    public long SizeBytes { get; private init; }

    public int ItemCount { get; private init; }

    /// <summary>Set only for a streamed entry the sender aborted: why (the write was abandoned, the wait ended, …).</summary>
    public string? AbortReason { get; private init; }

    /// <summary>A streamed entry that ended with its commit.</summary>
    public bool IsCommittedStream => Status == BundleWireStatus.Streamed && AbortReason is null;

    public static BundleWireEntry Found(Bundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new(BundleWireStatus.Found, bundle.StateRef, bundle.Version, bundle);
    }

    public static BundleWireEntry NotFound(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        return new(BundleWireStatus.NotFound, stateRef, 0, null);
    }

    public static BundleWireEntry NotModified(StateRef stateRef, long version)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return new(BundleWireStatus.NotModified, stateRef, version, null);
    }

    /// <summary>A streamed entry that ended with its commit; <paramref name="bundle"/> when the reader assembled it in memory.</summary>
    public static BundleWireEntry Streamed(StateRef stateRef, long version, DateTimeOffset updatedAt, int itemCount, long sizeBytes, Bundle? bundle = null)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeBytes);
        return new(BundleWireStatus.Streamed, stateRef, version, bundle)
        {
            UpdatedAt = updatedAt,
            ItemCount = itemCount,
            SizeBytes = sizeBytes,
        };
    }

    /// <summary>A streamed entry the sender aborted: nothing of it may be kept.</summary>
    public static BundleWireEntry StreamAborted(StateRef stateRef, string reason)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(BundleWireStatus.Streamed, stateRef, 0, null) { AbortReason = reason };
    }

    public override string ToString() => Status switch
    {
        BundleWireStatus.Found => $"{StateRef} v{Version} found",
        BundleWireStatus.NotModified => $"{StateRef} v{Version} not modified",
        BundleWireStatus.Streamed when AbortReason is not null => $"{StateRef} streamed, aborted: {AbortReason}",
        BundleWireStatus.Streamed => $"{StateRef} v{Version} streamed ({ItemCount} items)",
        _ => $"{StateRef} not found",
    };
}
