using MQTTnet.Packets;
using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.CameraIngest.Mqtt;

/// <summary>Which of the bridge's subscriptions a message arrived on.</summary>
internal enum CameraMessageKind
{
    RawFrame,
    CloudEvent,
}

/// <summary>
/// A message as the bridge received it, copied out of MQTTnet's buffers. <see cref="Payload"/> is null when the payload
/// was over the size limit and was not kept (<see cref="PayloadLength"/> still tells its size). <see cref="Seq"/> is the
/// frame number of a raw frame, assigned in arrival order.
/// <see cref="Camera"/> is null when the topic matched none of the bridge's filters.
/// </summary>
internal sealed record CameraMessage(
    string Topic,
    string? Camera,
    CameraMessageKind Kind,
    byte[]? Payload,
    long PayloadLength,
    string? ContentType,
    IReadOnlyList<MqttUserProperty> UserProperties,
    DateTimeOffset ReceivedAt,
    long? Seq,
    PendingAcknowledgement Acknowledgement)
{
    public string? UserProperty(string name) => MqttUserProperties.Find(UserProperties, name);
}
