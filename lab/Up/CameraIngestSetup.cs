using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// MQTT camera ingest in <c>skylark up</c>. With the embedded server (default) every ingest node runs its own MQTT server
/// and bridge, as an edge site would: a camera publishes to its node's server, frames are stored on that node. With an
/// external broker one bridge, on <see cref="Node"/>, subscribes to it. Nodes hosting alarm publish alarms on
/// <c>alarms/&lt;camera&gt;</c> to their own embedded server (or the external broker).
/// </summary>
public sealed record CameraIngestSetup
{
    /// <summary>An external MQTT broker (e.g. mosquitto); null runs the embedded servers.</summary>
    public MqttConnection? ExternalBroker { get; init; }

    /// <summary>The node whose bridge subscribes to <see cref="ExternalBroker"/>; null: the first node hosting the ingest function.</summary>
    public string? Node { get; init; }

    /// <summary>
    /// Cameras that get an MQTT user on the embedded servers from the start (listed, with their passwords, in the
    /// endpoints file); more are added as the lab's own cameras connect. Ignored with an external broker.
    /// </summary>
    public IReadOnlyList<string> Cameras { get; init; } = ["cam-1", "cam-2", "cam-3", "cam-4"];

    /// <summary>Largest frame accepted (bytes); larger ones are dead-lettered on the MQTT dead-letter topic.</summary>
    public int MaxFrameBytes { get; init; } = 4 * 1024 * 1024;
}
