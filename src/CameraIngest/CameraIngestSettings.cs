using Skylark.Events.Identity;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest.Sink;
using Skylark.Events.Hosting;
using Skylark.Events.State;

namespace Skylark.Events.CameraIngest;

/// <summary>
/// The standalone camera ingest's settings, by the service contract (docs/configuration.md), shaped like a Knative
/// ContainerSource: the sink from <c>K_SINK</c> and extension overrides from <c>K_CE_OVERRIDES</c>, the MQTT broker
/// (<c>--mqtt</c> and its password secret), and the common <c>--node</c>, <c>--redis</c>, Redis password and
/// <c>--key-prefix</c> of the node whose Redis keeps the frames.
/// </summary>
public sealed record CameraIngestSettings(Action<StateOptions> State, MqttConnection Broker, SinkBinding Binding, Uri? DeadLetterSink = null)
{
    public static readonly Setting DeadLetterSinkSetting = new(
        "dead-letter-sink",
        "The dead-letters service: frames the bridge rejects are stored there (and acknowledged only once it answered 2xx), besides being republished on MQTT.");

    /// <summary>The bridge's identity token (<c>--token-file</c>); null sends events without one.</summary>
    public string? TokenFile { get; init; }

    public static readonly Setting Overrides = new(
        "ce-overrides",
        """Extensions set on every event sent, as Knative's SinkBinding gives them: {"extensions":{"name":"value"}}.""",
        environment: SinkBinding.OverridesVariable);

    /// <exception cref="ServiceConfigurationException">A required setting is missing or a value is malformed; every problem is named.</exception>
    public static CameraIngestSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var state = StateSettings.Read(settings);
        var sink = settings.Url(CommonSettings.Sink, required: true);
        if (!SinkBinding.TryParseOverrides(settings.Get(Overrides), out var overrides, out var problem))
        {
            settings.Problem(Overrides, problem);
        }

        var deadLetterSink = settings.Url(DeadLetterSinkSetting);
        var tokenFile = settings.Get(SenderIdentitySettings.TokenFile);
        var broker = MqttSettings.Read(settings, required: true);
        settings.ThrowIfInvalid();
        return new CameraIngestSettings(state, broker!, new SinkBinding(sink!, overrides, fromEnvironment: true), deadLetterSink) { TokenFile = tokenFile };
    }

    public void Configure(CameraIngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Broker = Broker;
        options.Binding = Binding;
        options.DeadLetterSinkUrl = DeadLetterSink;
        options.TokenFile = TokenFile;
    }
}
