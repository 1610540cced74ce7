using System.Text;
using MQTTnet;
using MQTTnet.Packets;

namespace Skylark.Events.Bindings.Mqtt;

/// <summary>MQTT user property values are UTF-8 strings on the wire; MQTTnet wants them as bytes.</summary>
public static class MqttUserProperties
{
    public static MqttUserProperty Create(string name, string value) =>
        new(name, new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value)));

    public static MqttApplicationMessageBuilder WithUserProperty(this MqttApplicationMessageBuilder builder, MqttUserProperty property)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(property);
        return builder.WithUserProperty(property.Name, property.ValueBuffer);
    }

    public static MqttApplicationMessageBuilder WithUtf8UserProperty(this MqttApplicationMessageBuilder builder, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithUserProperty(name, new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>The value of the first user property named <paramref name="name"/>, or null.</summary>
    public static string? Find(IReadOnlyList<MqttUserProperty>? properties, string name)
    {
        if (properties is null)
        {
            return null;
        }

        foreach (var property in properties)
        {
            if (property.Name == name)
            {
                return property.ReadValueAsString();
            }
        }

        return null;
    }
}
