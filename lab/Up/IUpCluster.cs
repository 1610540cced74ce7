using CloudNative.CloudEvents;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// A running <c>skylark up</c>, whichever runtime runs it (<see cref="EmulatedCluster"/> in this process,
/// <see cref="ProcessCluster"/> one OS process per service instance): what the command shows and writes, and what the
/// demo observes of a run.
/// </summary>
public interface IUpCluster : IAsyncDisposable
{
    NetworkTopology Topology { get; }

    TopologyClock Clock { get; }

    LinkEmulator Links { get; }

    StateMode Mode { get; }

    string ControlNode { get; }

    bool InstantControlPlane { get; }

    EndpointsFile Endpoints { get; }

    /// <summary>
    /// Per ingest node, the MQTT broker its cameras publish to, logged in as the operator on the embedded servers (it
    /// reads alarms and dead letters; a camera needs <see cref="CameraBroker"/>).
    /// </summary>
    IReadOnlyDictionary<string, MqttConnection> CameraBrokers { get; }

    /// <summary>Per node hosting alarm (with camera ingest on), the MQTT broker its alarms are published to on <c>alarms/&lt;camera&gt;</c>, as the operator.</summary>
    IReadOnlyDictionary<string, MqttConnection> AlarmBrokers { get; }

    /// <summary>
    /// The broker of ingest node <paramref name="node"/> as camera <paramref name="camera"/> logs in to it: on an embedded
    /// server with the camera's own user (created on first use), which may publish only under <c>cameras/&lt;camera&gt;/</c>.
    /// </summary>
    MqttConnection CameraBroker(string node, string camera);

    /// <summary>Raised once for each dead letter the dead-letter sink has stored during this run, with the event as dead-lettered.</summary>
    event EventHandler<CloudEvent>? DeadLettered;

    /// <summary>What the Predictor has done so far; null when the mode runs none.</summary>
    Task<PredictorMetricsSnapshot?> PredictorMetricsAsync(CancellationToken cancellationToken);

    /// <summary>Dead letters stored during this run.</summary>
    Task<long> DeadLettersReceivedAsync(CancellationToken cancellationToken);
}
