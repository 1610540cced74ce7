using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Alarm;

public static class AlarmFunctionExtensions
{
    /// <summary>
    /// Registers alarm on the node of the registered state (AddSkylarkState must be called too), with a logging-only
    /// <see cref="IAlarmPublisher"/> unless one is registered (before or after this call).
    /// </summary>
    public static IServiceCollection AddAlarmFunction(this IServiceCollection services, Action<AlarmFunctionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AlarmFunctionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<IAlarmPublisher, LoggingAlarmPublisher>();
        services.AddSkylarkFunction(AlarmBundles.Function);
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<AlarmFunction>(
            sp, sp.GetRequiredKeyedService<FunctionRuntime>(AlarmBundles.Function)));
        return services;
    }

    /// <summary>
    /// Registers alarm and this node's state from the service contract's settings (<see cref="AlarmServiceSettings"/>),
    /// as the standalone service reads them: with <c>--mqtt</c> set, alarms are published on <c>alarms/&lt;camera&gt;</c>
    /// there (<see cref="MqttAlarmPublisher"/>), otherwise they go to the log.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static IServiceCollection AddAlarmFunction(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = AlarmServiceSettings.From(configuration);
        services.AddSkylarkState(settings.State);
        if (settings.Broker is { } broker)
        {
            // A pod's host name is its name, so replicas do not take each other's MQTT session.
            var clientId = $"skylark-alarm-{Environment.MachineName}-{Environment.ProcessId}";
            services.AddSingleton<IAlarmPublisher>(sp => new MqttAlarmPublisher(
                broker.CreateClientOptions(clientId).Build(), sp.GetService<ILogger<MqttAlarmPublisher>>()));
        }

        return services.AddAlarmFunction();
    }

    /// <summary>Maps <c>POST {pattern}</c> for detect completions and <c>GET {pattern}/status</c>; the service contract's <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> at the root.</summary>
    public static RouteGroupBuilder MapAlarmFunction(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = endpoints.ServiceProvider.GetRequiredService<AlarmFunction>();
        return endpoints.MapSkylarkFunction(AlarmBundles.Function, pattern, function.HandleAsync);
    }
}
