using Skylark.Events.Contracts;
using Skylark.Events.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;
using Skylark.Events.State;

namespace Skylark.Events.CameraIngest;

public static class CameraIngestServiceCollectionExtensions
{
    public const string SinkHttpClientName = "skylark-camera-ingest";

    /// <summary>
    /// Runs the <see cref="CameraIngestBridge"/> with the host, with its metrics (meter
    /// <see cref="CameraIngestMetrics.MeterName"/>) and the readiness checks <c>mqtt</c> (subscribed to the broker),
    /// <c>sink</c> (a sink to send to) and <c>frames</c> (the node's Redis, the sink and the dead-letter sink take what
    /// the bridge sends them). Needs the node's state (<c>AddSkylarkState</c>, which adds the readiness check
    /// <c>redis</c>), before or after this call. Everything is per service provider, so one process can run one bridge
    /// per node.
    /// </summary>
    public static IServiceCollection AddCameraIngest(this IServiceCollection services, Action<CameraIngestOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CameraIngestOptions>()
            .Configure(configure)
            .ValidateOnStart(options => options.Validate());
        services.AddServiceMetrics(CameraIngestMetrics.MeterName);
        services.AddReadinessCheck<MqttReadinessCheck>("mqtt");
        services.AddReadinessCheck<SinkReadinessCheck>("sink");
        services.AddReadinessCheck<FramesReadinessCheck>("frames");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CameraIngestMetrics>();
        services.AddHttpClient(SinkHttpClientName)
            .AddSenderToken(sp => sp.GetRequiredService<IOptions<CameraIngestOptions>>().Value.TokenFile, SkylarkAudiences.OfBrokerIngress);
        services.TryAddSingleton(sp => new CameraIngestBridge(
            sp.GetRequiredService<IOptions<CameraIngestOptions>>().Value,
            sp.GetRequiredService<BundleStore>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SinkHttpClientName),
            sp.GetRequiredService<CameraIngestMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<CameraIngestBridge>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CameraIngestBridge>());
        return services;
    }

    /// <summary>
    /// Registers the bridge and this node's state from the service contract's settings (<see cref="CameraIngestSettings"/>),
    /// as the standalone service reads them.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static IServiceCollection AddCameraIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = CameraIngestSettings.From(configuration);
        services.AddSkylarkState(settings.State);
        return services.AddCameraIngest(settings.Configure);
    }
}
