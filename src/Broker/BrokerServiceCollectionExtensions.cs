using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Broker.Journal;

namespace Skylark.Events.Broker;

public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the embedded broker: ingress, per-Trigger dispatch and delivery for the Brokers and Triggers in
    /// <see cref="BrokerOptions.Model"/>. Serve it with <see cref="BrokerEndpointRouteBuilderExtensions.MapBroker"/>.
    /// </summary>
    public static IServiceCollection AddBroker(this IServiceCollection services, Action<BrokerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<BrokerOptions>().Configure(configure).Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BrokerMetrics>();
        services.TryAddSingleton<BrokerTopology>();
        services.TryAddSingleton<InFlightDeliveries>();
        services.TryAddSingleton<BrokerIngress>();
        services.TryAddSingleton<BrokerIngressEndpoint>();
        services.TryAddSingleton<IngressAddress>();
        services.TryAddSingleton<EventSender>();
        services.TryAddSingleton<EventDelivery>();
        services.TryAddSingleton<EventJournal>();

        // Before the dispatcher: started first (recovery), stopped last (after the drain, so the last acks are written).
        services.AddHostedService<JournalRecoveryService>();
        services.AddHostedService<BrokerDispatcher>();
        return services;
    }
}
