namespace Skylark.Events.State.Wire;

/// <summary>
/// A bundle stream is truncated, corrupt or over a limit. Readers raise it before handing out anything, so a receiver
/// never stores a partial bundle.
/// </summary>
public sealed class BundleWireFormatException : StateException
{
    public BundleWireFormatException(string message)
        : base($"Invalid bundle stream: {message}")
    {
    }

    public BundleWireFormatException(string message, Exception? innerException)
        : base($"Invalid bundle stream: {message}", innerException)
    {
    }
}
