using Skylark.Events.Hosting;

namespace Skylark.Events.Bindings.Mqtt;

/// <summary>
/// The MQTT broker as a deployable reads it: <c>--mqtt</c> (<c>SKYLARK_MQTT</c>) names the broker and the user,
/// <c>SKYLARK_MQTT_PASSWORD</c> or the file <c>--mqtt-password-file</c> names the password. The keys are the service
/// contract's (<see cref="CommonSettings.Mqtt"/>), so the camera ingest and the alarm function read them alike.
/// </summary>
public static class MqttSettings
{
    /// <summary>The broker, or null when <c>--mqtt</c> is not set (and not <paramref name="required"/>); problems are collected in <paramref name="settings"/>.</summary>
    public static MqttConnection? Read(ServiceConfiguration settings, bool required)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = required ? settings.Required(CommonSettings.Mqtt) : settings.Get(CommonSettings.Mqtt);
        var password = settings.GetSecret(CommonSettings.MqttPassword, CommonSettings.MqttPasswordFile);
        if (url is null)
        {
            if (password is not null && !required)
            {
                settings.Problem(CommonSettings.MqttPassword, $"is set but {CommonSettings.Mqtt.Display} is not; name the broker too");
            }

            return null;
        }

        MqttConnection broker;
        try
        {
            broker = MqttConnection.Parse(url);
        }
        catch (FormatException error)
        {
            settings.Problem(CommonSettings.Mqtt, $"is not a broker URL: {error.Message.TrimEnd('.')}");
            return null;
        }

        // A URL is echoed in logs, process lists and manifests; the password is a secret and travels apart.
        if (broker.Password is not null)
        {
            settings.Problem(
                CommonSettings.Mqtt,
                $"carries a password; give the URL without it and the password in {CommonSettings.MqttPassword.Environment} or a file named by {CommonSettings.MqttPasswordFile.Flag}");
            return null;
        }

        if (password is null)
        {
            return broker;
        }

        if (broker.UserName is null)
        {
            settings.Problem(CommonSettings.MqttPassword, $"needs a user name in {CommonSettings.Mqtt.Flag}, e.g. mqtt://camera@{broker.Host}:{broker.Port}");
            return null;
        }

        return broker.WithPassword(password);
    }
}
