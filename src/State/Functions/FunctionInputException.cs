namespace Skylark.Events.State.Functions;

/// <summary>
/// The event (or the state it points to) can never be processed: wrong type, missing or malformed extension, corrupt
/// frame, unknown camera, invalid configuration. Answered with 422, which Knative does not retry, so the broker
/// dead-letters the event with this message in <c>knativeerrordata</c>. Nothing is written before it is thrown.
/// </summary>
public sealed class FunctionInputException : Exception
{
    public FunctionInputException(string message)
        : base(message)
    {
    }

    public FunctionInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionInputException()
    {
    }
}
