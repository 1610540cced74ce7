namespace Skylark.Events.Lab.Mqtt;

/// <summary>What an MQTT user is, and so what it may publish and subscribe to (<see cref="MqttAccessList"/>).</summary>
public enum MqttRole
{
    /// <summary>One camera: publishes under <c>cameras/&lt;its id&gt;/</c> only, reads nothing.</summary>
    Camera,

    /// <summary>The camera ingest: reads every camera's topics, publishes dead letters.</summary>
    Ingest,

    /// <summary>The alarm function: publishes alarms.</summary>
    Alarm,

    /// <summary>A person or tool watching: reads alarms and dead letters, publishes nothing.</summary>
    Operator,
}
