using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>--mqtt</c> of <c>up</c>, <c>demo</c> and <c>cameras</c> (and <c>--alarms</c> of <c>cameras</c>): an external broker's URL names the user, and its password comes from
/// <c>SKYLARK_MQTT_PASSWORD</c>, as for every deployable: a command line is readable by anyone on the machine.
/// </summary>
public static class ExternalMqtt
{
    public const string PasswordVariable = "SKYLARK_MQTT_PASSWORD";

    /// <summary>The password of <c>skylark cameras --alarms</c>' user: another login than the cameras' on the same broker.</summary>
    public const string AlarmsPasswordVariable = "SKYLARK_MQTT_ALARMS_PASSWORD";

    /// <exception cref="FormatException">Not a broker URL, or one carrying a password; the message says what to do.</exception>
    public static MqttConnection Parse(string url) => Parse(url, Environment.GetEnvironmentVariable(PasswordVariable));

    /// <param name="url">The broker, with the user but without a password.</param>
    /// <param name="password">The user's password (<c>SKYLARK_MQTT_PASSWORD</c>), or null for none.</param>
    /// <param name="option">The option the URL came from, for the messages.</param>
    /// <param name="variable">The variable the password came from, for the messages.</param>
    /// <exception cref="FormatException">Not a broker URL, or one carrying a password; the message says what to do.</exception>
    public static MqttConnection Parse(string url, string? password, string option = "--mqtt", string variable = PasswordVariable)
    {
        var broker = MqttConnection.Parse(url);
        if (broker.Password is not null)
        {
            throw new FormatException($"{option} carries a password; give the URL without it and the password in {variable}.");
        }

        if (string.IsNullOrEmpty(password))
        {
            return broker;
        }

        return broker.UserName is null
            ? throw new FormatException($"{variable} is set but {option} names no user; e.g. mqtt://camera@{broker.Host}:{broker.Port}.")
            : broker.WithPassword(password);
    }
}
