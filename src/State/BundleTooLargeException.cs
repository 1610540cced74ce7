using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>A write was refused because the bundle exceeds the configured size limit; nothing was written.</summary>
public sealed class BundleTooLargeException : StateException
{
    public BundleTooLargeException(StateRef stateRef, long sizeBytes, long limitBytes)
        : base($"State bundle '{stateRef}' is {sizeBytes} bytes, over the limit of {limitBytes} bytes (StateOptions.MaxBundleBytes); nothing was written.")
    {
        StateRef = stateRef;
        SizeBytes = sizeBytes;
        LimitBytes = limitBytes;
    }

    public StateRef StateRef { get; }

    public long SizeBytes { get; }

    public long LimitBytes { get; }
}
