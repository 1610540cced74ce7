using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Sources;

public static class PingSourceServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> ping events are sent with.</summary>
    public const string HttpClientName = "Skylark.PingSources";

    /// <summary>
    /// Runs the PingSources of the <see cref="EventingModel"/> registered in the container as a hosted service
    /// (also registered as <see cref="PingSourceRunner"/>, so the host can read each source's status).
    /// <c>sinkResolver</c> builds the sink resolver from the container, e.g. from the broker's destination resolver.
    /// When the container has the broker's <see cref="Delivery.DeliveryTokens"/>, pings to a sink with an audience
    /// carry a token as the PingSource's identity.
    /// </summary>
    public static IServiceCollection AddPingSources(
        this IServiceCollection services,
        Func<IServiceProvider, Func<Destination, Uri>> sinkResolver,
        PingSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sinkResolver);

        if (services.Any(d => d.ServiceType == typeof(PingSourceRunner)))
        {
            // Registered already: a second hosted service would start the same runner twice.
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        // One long-lived client; recycling pooled connections keeps it following DNS changes of the sinks.
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        services.AddSingleton(sp => new PingSourceRunner(
            sp.GetRequiredService<EventingModel>(),
            sinkResolver(sp),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            options,
            sp.GetService<Delivery.DeliveryTokens>()));
        services.AddHostedService(sp => sp.GetRequiredService<PingSourceRunner>());
        return services;
    }

    /// <inheritdoc cref="AddPingSources(IServiceCollection, Func{IServiceProvider, Func{Destination, Uri}}, PingSourceOptions?)"/>
    public static IServiceCollection AddPingSources(
        this IServiceCollection services,
        Func<Destination, Uri> resolveSink,
        PingSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resolveSink);
        return services.AddPingSources(_ => resolveSink, options);
    }
}
