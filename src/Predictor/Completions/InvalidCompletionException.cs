namespace Skylark.Events.Predictor.Completions;

/// <summary>An event the Predictor cannot use; the message says what is wrong, for the 400 answer and the dead letter.</summary>
public sealed class InvalidCompletionException : Exception
{
    public InvalidCompletionException()
    {
    }

    public InvalidCompletionException(string message)
        : base(message)
    {
    }

    public InvalidCompletionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
