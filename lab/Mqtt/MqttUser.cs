using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>One login of an <see cref="MqttAccessList"/>; for a <see cref="MqttRole.Camera"/> the user name is the camera id.</summary>
public sealed record MqttUser(string Name, string Password, MqttRole Role)
{
    /// <summary>The topic filters this user may publish to (a topic matching one of them is allowed).</summary>
    public IReadOnlyList<string> Publish => Role switch
    {
        MqttRole.Camera => [$"cameras/{Name}/#"],
        MqttRole.Ingest => ["skylark/deadletter/#"],
        MqttRole.Alarm => ["alarms/#"],
        _ => [],
    };

    /// <summary>The topic filters this user may subscribe to (a filter they contain is allowed, e.g. <c>alarms/cam-1</c> within <c>alarms/#</c>).</summary>
    public IReadOnlyList<string> Subscribe => Role switch
    {
        MqttRole.Ingest => ["cameras/#"],
        MqttRole.Operator => ["alarms/#", "skylark/deadletter/#"],
        _ => [],
    };

    /// <summary>How this user reaches <paramref name="broker"/>: its address with this user's name and password.</summary>
    public MqttConnection On(MqttConnection broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return new MqttConnection(broker.Host, broker.Port, broker.UseTls, Name, Password);
    }

    // A record would print the password.
    public override string ToString() => $"{Name} ({Role})";
}
