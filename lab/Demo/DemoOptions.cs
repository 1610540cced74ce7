using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;

namespace Skylark.Events.Lab.Demo;

/// <summary>What <c>skylark demo</c> runs: cameras on a topology for a while, in one state mode.</summary>
public sealed record DemoOptions
{
    public required string TopologyPath { get; init; }

    public required string EventingPath { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public StateMode Mode { get; init; } = StateMode.Skylark;

    /// <summary>Knative's default spreads invocations; locality-aware keeps a camera's frames where its state is.</summary>
    public ServingPolicy Serving { get; init; } = ServingPolicy.LocalityAware;

    /// <summary>A folder <c>skylark deploy render</c> wrote, run instead of the manifests rendered in memory (<see cref="Up.UpOptions.ManifestsPath"/>).</summary>
    public string? ManifestsPath { get; init; }

    /// <summary>Simulated cameras, spread over the ingest nodes; null: one per ingest node.</summary>
    public int? Cameras { get; init; }

    /// <summary>
    /// One frame a second per camera: seven cameras at two saturate a 2-core machine, and then every mode measures the
    /// CPU rather than where state lives.
    /// </summary>
    public double FramesPerSecond { get; init; } = 1;

    /// <summary>Seed of the first camera's scene; camera i uses seed + i.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>An external MQTT broker (e.g. mosquitto) instead of the nodes' embedded servers.</summary>
    public MqttConnection? Mqtt { get; init; }

    /// <inheritdoc cref="UpOptions.ControlNode"/>
    public string? ControlNode { get; init; }

    /// <inheritdoc cref="UpOptions.InstantControlPlane"/>
    public bool InstantControlPlane { get; init; }

    /// <summary>Run every service instance as its own OS process (<see cref="Up.ProcessCluster"/>) instead of in this one.</summary>
    public bool Processes { get; init; }

    /// <summary>Sender identity and EventPolicies on (the default), as <see cref="Up.UpOptions.Auth"/>.</summary>
    public bool Auth { get; init; } = true;

    /// <summary>
    /// How many new traces a second the run's trace store records (<see cref="TraceSampler"/>); null records every one.
    /// Spans of <see cref="Processes"/> are sampled by each process's own exporter instead.
    /// </summary>
    public double? TracesPerSecond { get; init; } = TraceStore.DefaultNewTracesPerSecond;

    /// <summary>Serve the live dashboard on 127.0.0.1 while the run lasts (its URL is printed as <c>Dashboard: …</c>).</summary>
    public bool Dashboard { get; init; } = true;

    /// <summary>
    /// A dashboard already serving (<c>skylark demo --compare</c>: one for every mode's run), which this run attaches its
    /// cluster and observer to instead of starting its own; <see cref="Dashboard"/> does not apply then.
    /// </summary>
    public DashboardHost? SharedDashboard { get; init; }

    /// <summary>Processes to SIGKILL (only with <see cref="Processes"/>) and nodes to cut off during the run.</summary>
    public IReadOnlyList<InjectedFault> Faults { get; init; } = [];

    /// <summary>Longest wait, after the cameras stop, for the workflows still running.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the report JSON is written; null writes none.</summary>
    public string? ReportPath { get; init; }

    /// <summary>Least severe log entry the run's services write to the console (the progress line is the demo's output).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Error;

    /// <summary>Dead letters and other run output.</summary>
    public required string WorkDirectory { get; init; }

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--duration must be positive; got {Duration}.");
        }

        if (Cameras is < 1 or > 64)
        {
            throw new ArgumentException($"--cameras must be 1-64; got {Cameras}.");
        }

        if (!(FramesPerSecond > 0 && FramesPerSecond <= 30))
        {
            throw new ArgumentException($"--fps must be above 0 and at most 30; got {FramesPerSecond}.");
        }

        if (Faults.FirstOrDefault(f => f.Kind == FaultKind.Kill) is { } kill && !Processes)
        {
            throw new ArgumentException($"{kill} needs --processes: only then is each service instance a process of its own.");
        }

        if (Faults.FirstOrDefault(f => f.At >= Duration) is { } late)
        {
            throw new ArgumentException($"{late} is not within the {Duration.TotalSeconds:0.#} s the cameras run.");
        }
    }
}
