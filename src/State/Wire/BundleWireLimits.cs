namespace Skylark.Events.State.Wire;

/// <summary>
/// What a reader accepts: checked against the lengths in the stream before anything is allocated, so a hostile or
/// corrupt length cannot make the receiver reserve memory it would not accept as a bundle.
/// </summary>
public sealed record BundleWireLimits
{
    public BundleWireLimits(long maxBundleBytes, int maxEntries = BundleWireFormat.MaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBundleBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntries, BundleWireFormat.MaxEntries);
        MaxBundleBytes = maxBundleBytes;
        MaxEntries = maxEntries;
    }

    /// <summary>Largest bundle (<see cref="BundleItems.SizeBytes"/>: item names plus values) per entry.</summary>
    public long MaxBundleBytes { get; }

    public int MaxEntries { get; }

    /// <summary>The limits matching a node's <see cref="StateOptions"/>: whatever it could store, it can receive.</summary>
    public static BundleWireLimits For(StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BundleWireLimits(options.MaxBundleBytes);
    }
}
