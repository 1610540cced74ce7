namespace Skylark.Events.Bindings.Mqtt;

/// <summary>An MQTT message that is not a valid CloudEvent under the CloudEvents MQTT binding; the message says why.</summary>
public sealed class InvalidMqttCloudEventException : Exception
{
    public InvalidMqttCloudEventException(string message)
        : base(message)
    {
    }

    public InvalidMqttCloudEventException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidMqttCloudEventException()
    {
    }
}
