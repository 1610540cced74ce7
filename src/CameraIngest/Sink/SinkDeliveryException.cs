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

    /// <param name="message">What the last attempt got.</param>
    /// <param name="transient">True when the sink was unreachable or answered 408, 429 or 5xx: a later try may succeed.</param>
    /// <param name="statusCode">The sink's last HTTP status; 500 when it did not answer, as Knative reports it.</param>
    public SinkDeliveryException(string message, bool transient, int statusCode)
        : base(message)
    {
        Transient = transient;
        StatusCode = statusCode;
    }

    /// <summary>True when the sink was unreachable or answered 408, 429 or 5xx: a later try may succeed.</summary>
    public bool Transient { get; }

    /// <summary>The sink's last HTTP status; 500 when it did not answer (or unknown).</summary>
    public int StatusCode { get; } = 500;
}
