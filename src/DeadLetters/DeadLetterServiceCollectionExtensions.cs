using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Hosting;

namespace Skylark.Events.DeadLetters;

public static class DeadLetterServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dead-letter log (<see cref="DeadLetterLog"/>), opened when the host starts and closed when it
    /// stops, its endpoints, its readiness check and its metrics. Everything is per service provider.
    /// </summary>
    public static IServiceCollection AddDeadLetters(this IServiceCollection services, Action<DeadLetterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DeadLetterOptions>()
            .Configure(configure)
            .ValidateOnStart(options => options.Validate());
        services.AddServiceMetrics(DeadLetterMetrics.MeterName);
        services.AddReadinessCheck<DeadLetterReadinessCheck>(DeadLetterReadinessCheck.Name);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeadLetterMetrics>();
        services.TryAddSingleton<DeadLetterLog>();
        services.TryAddSingleton<DeadLetterEndpoints>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DeadLetterLogService>());
        return services;
    }

    /// <summary>Registers the dead-letter log from the service contract's settings (docs/dead-letters.md), as the standalone service reads them.</summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static IServiceCollection AddDeadLetters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = DeadLetterSettings.From(configuration);
        return services.AddDeadLetters(settings.Configure);
    }
}
