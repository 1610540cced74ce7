using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.State;

namespace Skylark.Events.Cli.Mqtt;

public static class MqttServiceCollectionExtensions
{
    public const string SinkHttpClientName = "skylark-camera-ingest";

    /// <summary>Runs an embedded MQTT server with the host. Register it before the services that connect to it.</summary>
    public static IServiceCollection AddEmbeddedMqttServer(this IServiceCollection services, Action<EmbeddedMqttServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new EmbeddedMqttServerOptions();
        configure?.Invoke(options);
        options.Validate();
        services.TryAddSingleton(sp => new EmbeddedMqttServerHost(options, sp.GetService<ILogger<EmbeddedMqttServer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedMqttServerHost>());
        return services;
    }

    /// <summary>
    /// Runs the <see cref="CameraIngestBridge"/> with the host. Needs the node's state (<c>AddSkylarkState</c>); without
    /// <see cref="CameraIngestOptions.Broker"/> it uses the embedded MQTT server, which must be registered first.
    /// </summary>
    public static IServiceCollection AddCameraIngestBridge(this IServiceCollection services, Action<CameraIngestOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CameraIngestOptions>()
            .Configure(configure)
            .Validate(
                options =>
                {
                    options.Validate();
                    return true;
                });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CameraIngestMetrics>();
        services.AddHttpClient(SinkHttpClientName);
        services.TryAddSingleton(sp => new CameraIngestBridge(
            sp.GetRequiredService<IOptions<CameraIngestOptions>>().Value,
            sp.GetRequiredService<BundleStore>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SinkHttpClientName),
            sp.GetRequiredService<CameraIngestMetrics>(),
            sp.GetService<EmbeddedMqttServerHost>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<CameraIngestBridge>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CameraIngestBridge>());
        return services;
    }
}
