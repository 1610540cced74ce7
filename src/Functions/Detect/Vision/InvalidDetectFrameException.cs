namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>The frame handed to detect is not a decodable image within the limits; the message says why.</summary>
public sealed class InvalidDetectFrameException : Exception
{
    public InvalidDetectFrameException(string message)
        : base(message)
    {
    }

    public InvalidDetectFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
