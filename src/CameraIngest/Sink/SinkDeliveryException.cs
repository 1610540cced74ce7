namespace Skylark.Events.CameraIngest.Sink;

/// <summary>An event the sink did not accept after every attempt; <see cref="Exception.Message"/> says what the last attempt got.</summary>
public sealed class SinkDeliveryException : Exception
{
    public SinkDeliveryException(string message)
        : base(message)
    {
    }

    public SinkDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SinkDeliveryException()
    {
    }
}
