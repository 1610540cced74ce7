using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Predictor;
using Skylark.Events.State;

namespace Skylark.Events.Lab.Up;

/// <summary>What <c>skylark up</c> starts.</summary>
public sealed record UpOptions
{
    public required string TopologyPath { get; init; }

    /// <summary>The project's eventing/ folder; <see cref="ExtraEventing"/> is loaded on top of it.</summary>
    public required string EventingPath { get; init; }

    public IReadOnlyList<string> ExtraEventing { get; init; } = [];

    /// <summary>
    /// A folder <c>skylark deploy render</c> wrote, to run instead of rendering <see cref="TopologyPath"/> in memory
    /// (<c>--manifests</c>); the topology still gives the links to emulate.
    /// </summary>
    public string? ManifestsPath { get; init; }

    /// <summary>
    /// The process runtime's OTLP/HTTP endpoint (a base URL serving <c>/v1/traces</c>, such as the dashboard's with
    /// <see cref="Observability.OtlpTraceReceiver"/>): every service process exports its spans there, in place of any
    /// <c>OTEL_EXPORTER_OTLP_*</c> endpoint this process was given (docs/tracing.md). Null: the processes export where
    /// their inherited environment says, or nowhere. The in-process runtime does not use it.
    /// </summary>
    public Uri? TraceCollector { get; init; }

    /// <summary>Triggers added in code, e.g. an observer of a run subscribed by URI.</summary>
    public IReadOnlyList<TriggerResource> ExtraTriggers { get; init; } = [];

    public string? EndpointsFile { get; init; }

    public string? JournalDirectory { get; init; }

    /// <summary>
    /// Start the broker on a journal damaged other than by a torn tail, quarantining the damaged bytes
    /// (<c>--journal-repair</c>, docs/journal.md); without it such a journal stops the start.
    /// </summary>
    public bool JournalRepair { get; init; }

    public ServingPolicy Serving { get; init; } = ServingPolicy.RoundRobin;

    /// <summary>Where state lives and how it moves (see <see cref="StateMode"/>).</summary>
    public StateMode Mode { get; init; } = StateMode.Skylark;

    /// <summary>The functions nodes may host (the topology's <c>functions</c> lists pick from these by name).</summary>
    public IReadOnlyList<HostedFunction> Functions { get; init; } = CameraPipelineFunctions.All;

    /// <summary>MQTT camera ingest; null runs none.</summary>
    public CameraIngestSetup? CameraIngest { get; init; }

    /// <summary>Applied to every node's <see cref="StateOptions"/> after the cluster's own settings (limits, timeouts).</summary>
    public Action<StateOptions>? ConfigureState { get; init; }

    /// <summary>
    /// The AOF persistence of every node's redis-server (<c>--redis-fsync</c>): with it a redis-server that is
    /// restarted comes back with the node's state. <see cref="RedisFsync.Off"/> keeps state in memory only.
    /// </summary>
    public RedisFsync RedisFsync { get; init; } = RedisFsync.EverySec;

    /// <summary>Least severe log entry the cluster's services write to the console.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Applied to the Predictor's options after the cluster's own settings (byte budget, deadlines); unused when the mode runs none.</summary>
    public Action<PredictorOptions>? ConfigurePredictor { get; init; }

    /// <summary>
    /// The node the broker, the serving router and the Predictor run on (a cluster's control plane lives in one place);
    /// null means the topology's cloud node.
    /// </summary>
    public string? ControlNode { get; init; }

    /// <summary>
    /// False (the default): every exchange between the control plane and a service on another node crosses the
    /// emulated path between them, sharing its bandwidth with state. True: the control plane reaches every node at
    /// once, as if it ran everywhere (for comparison).
    /// </summary>
    public bool InstantControlPlane { get; init; }

    /// <summary>
    /// How long the broker lets in-flight deliveries finish when the cluster stops. A benchmark's cluster stops with its
    /// workflows done, and only mispredicted look-ahead commands still waiting for a write, so it sets this short.
    /// </summary>
    public TimeSpan BrokerShutdownDrain { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True (the default): a local OIDC issuer gives every service its identity token, and the broker and the
    /// StateSinks verify senders and apply the EventPolicies (<c>--auth on</c>). False runs every receiver open to
    /// anyone who reaches it (<c>--auth off</c>), for experiments only.
    /// </summary>
    public bool Auth { get; init; } = true;

    /// <summary>
    /// Told what the cluster starts as it starts it (each redis-server, each node's services, MQTT servers, the broker,
    /// the Predictor), so a slow start shows where it is; null says nothing. Reported on the starting thread, in order.
    /// </summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>Where dead letters and other run output go.</summary>
    public required string WorkDirectory { get; init; }
}
