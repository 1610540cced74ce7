namespace Skylark.Events.CameraIngest.Mqtt;

/// <summary>The QoS 1 acknowledgement of one received message, sent only once the bridge is done with it.</summary>
internal sealed class PendingAcknowledgement(Func<CancellationToken, Task> acknowledge, long connection)
{
    public Func<CancellationToken, Task> Acknowledge { get; } = acknowledge;

    /// <summary>Which connection the message came on; acknowledgements for an older connection cannot be sent.</summary>
    public long Connection { get; } = connection;

    public bool Done { get; set; }
}
