namespace Skylark.Events.DeadLetters;

/// <summary>The log takes no dead letter now: not open yet, closed, or its file could not be written; the message says which.</summary>
public sealed class DeadLetterLogUnavailableException : Exception
{
    public DeadLetterLogUnavailableException(string message)
        : base(message)
    {
    }

    public DeadLetterLogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeadLetterLogUnavailableException()
    {
    }
}

/// <summary>As many dead letters wait for the disk as the log admits; the sender should try again shortly.</summary>
public sealed class DeadLetterLogBusyException : Exception
{
    public DeadLetterLogBusyException(string message)
        : base(message)
    {
    }

    public DeadLetterLogBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeadLetterLogBusyException()
    {
    }
}
