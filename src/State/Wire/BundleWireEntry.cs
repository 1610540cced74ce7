using Skylark.Events.Contracts;

namespace Skylark.Events.State.Wire;

/// <summary>
/// One entry of a bundle stream: a whole <see cref="Bundle"/>, or the fact that the sender does not hold it, or that
/// the receiver's version is current. <see cref="Version"/> is the sender's version (0 when not found).
/// </summary>
public sealed record BundleWireEntry
{
    private BundleWireEntry(BundleWireStatus status, StateRef stateRef, long version, Bundle? bundle)
    {
        Status = status;
        StateRef = stateRef;
        Version = version;
        Bundle = bundle;
    }

    public BundleWireStatus Status { get; }

    public StateRef StateRef { get; }

    public long Version { get; }

    /// <summary>Set only when <see cref="Status"/> is <see cref="BundleWireStatus.Found"/>.</summary>
    public Bundle? Bundle { get; }

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

    public override string ToString() => Status switch
    {
        BundleWireStatus.Found => $"{StateRef} v{Version} found",
        BundleWireStatus.NotModified => $"{StateRef} v{Version} not modified",
        _ => $"{StateRef} not found",
    };
}
