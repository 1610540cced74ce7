using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// One version of all state items of a function instance in a workflow run (or of a long-lived stream),
/// as read from or written to a node's Redis.
/// </summary>
public sealed class Bundle
{
    public Bundle(StateRef stateRef, long version, DateTimeOffset updatedAt, BundleItems items)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        StateRef = stateRef;
        Version = version;
        UpdatedAt = updatedAt;
        Items = items;
    }

    /// <summary>The reference this bundle was read (or pulled) under.</summary>
    public StateRef StateRef { get; }

    /// <summary>1 for the first write; each write adds one; copies keep their source's version.</summary>
    public long Version { get; }

    /// <summary>When this version was written on the node that wrote it (millisecond precision).</summary>
    public DateTimeOffset UpdatedAt { get; }

    public BundleItems Items { get; }

    public long SizeBytes => Items.SizeBytes;

    public override string ToString() => $"{StateRef} v{Version} ({Items.Count} items, {SizeBytes} bytes)";
}
