namespace Skylark.Events.Broker.Journal;

/// <summary>An event could not be made durable: the journal is closed or its write failed. The ingress answers 503.</summary>
public sealed class JournalUnavailableException : Exception
{
    public JournalUnavailableException()
    {
    }

    public JournalUnavailableException(string message)
        : base(message)
    {
    }

    public JournalUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
