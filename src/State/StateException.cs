namespace Skylark.Events.State;

/// <summary>Base of every error the state library raises, so callers can turn any of them into a failure outcome.</summary>
public class StateException : Exception
{
    public StateException(string message)
        : base(message)
    {
    }

    public StateException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
