namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>Stored background-model bytes are not a model this version can read; the message says why.</summary>
public sealed class InvalidBackgroundModelException : Exception
{
    public InvalidBackgroundModelException(string message)
        : base(message)
    {
    }

    public InvalidBackgroundModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
