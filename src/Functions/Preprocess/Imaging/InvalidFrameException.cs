namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>
/// The input is not a frame preprocess can accept (not a JPEG/PNG, corrupt, truncated, or over a size limit).
/// The message says which, so the function can answer with a failure outcome instead of crashing.
/// </summary>
public sealed class InvalidFrameException : Exception
{
    public InvalidFrameException(string message)
        : base(message)
    {
    }

    public InvalidFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
