using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Skylark.Events.Lab.Mqtt;

public static class MqttServiceCollectionExtensions
{
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
}
