using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Hosting;
using Skylark.Events.State;

namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// The standalone alarm function's settings, by the service contract (docs/configuration.md): the common
/// <c>--node</c>, <c>--redis</c>, Redis password, <c>--key-prefix</c> and <c>--node-sink</c>, and the MQTT broker alarms are published on
/// (<c>--mqtt</c> and its password secret; without it alarms go to the log only).
/// </summary>
public sealed record AlarmServiceSettings(FunctionStateSettings State, MqttConnection? Broker)
{
    /// <exception cref="ServiceConfigurationException">A required setting is missing or a value is malformed; every problem is named.</exception>
    public static AlarmServiceSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var state = StateSettings.ReadForFunction(settings);
        var broker = MqttSettings.Read(settings, required: false);
        settings.ThrowIfInvalid();
        return new AlarmServiceSettings(state, broker);
    }
}
