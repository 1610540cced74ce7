namespace Skylark.Events.CameraIngest.Frames;

/// <summary>A camera message the bridge cannot turn into an event; <see cref="Exception.Message"/> is the dead-letter reason.</summary>
public sealed class CameraMessageRejectedException : Exception
{
    public CameraMessageRejectedException(string message)
        : base(message)
    {
    }

    public CameraMessageRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CameraMessageRejectedException()
    {
    }
}
