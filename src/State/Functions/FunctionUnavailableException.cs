namespace Skylark.Events.State.Functions;

/// <summary>
/// The function could not finish for a reason that may pass (a dependency is down); answered with 503 so Knative
/// retries the delivery. State errors (<see cref="StateUnavailableException"/>, Redis failures) map to 503 on their own.
/// </summary>
public sealed class FunctionUnavailableException : Exception
{
    public FunctionUnavailableException(string message)
        : base(message)
    {
    }

    public FunctionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FunctionUnavailableException()
    {
    }
}
