namespace Skylark.Events.Bindings.Http;

/// <summary>An HTTP message that is not a valid CloudEvent; <see cref="Exception.Message"/> says why, for a 400 response.</summary>
public sealed class InvalidCloudEventException : Exception
{
    public InvalidCloudEventException(string message)
        : base(message)
    {
    }

    public InvalidCloudEventException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidCloudEventException()
    {
    }
}
