using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Ingress;
using Microsoft.Extensions.Options;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Contracts;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;

namespace Skylark.Events.Broker;

public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the embedded broker: ingress, per-Trigger dispatch and delivery for the Brokers and Triggers in
    /// <see cref="BrokerOptions.Model"/>, and the model's PingSources beside it (as Knative's mtping adapter runs
    /// them), their sinks resolved like the Triggers' subscribers. Serve it with
    /// <see cref="BrokerEndpointRouteBuilderExtensions.MapBroker"/>.
    /// </summary>
    public static IServiceCollection AddBroker(this IServiceCollection services, Action<BrokerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<BrokerOptions>().Configure(configure).ValidateOnStart(o => o.Validate());

        // The ingress trusts what BrokerOptions.Verification names; nothing set keeps it open (with a warning).
        services.AddSenderVerification(static _ => { });
        services.AddOptions<SenderVerificationOptions>().Configure<IOptions<BrokerOptions>>((verification, broker) => broker.Value.Verification.CopyTo(verification));
        services.AddServiceMetrics(BrokerMetrics.MeterName);
        services.AddReadinessCheck<BrokerReadinessCheck>("broker");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<BrokerOptions>>().Value.Model);
        services.AddPingSources(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BrokerOptions>>().Value;
            var resolver = new DestinationResolver(options.Services);
            return sink => resolver.Resolve(sink, sink.Ref?.Namespace ?? SkylarkDefaults.Namespace);
        });
        services.TryAddSingleton<BrokerMetrics>();
        services.TryAddSingleton<BrokerTopology>();
        services.TryAddSingleton<InFlightDeliveries>();
        services.TryAddSingleton<BrokerIngress>();
        services.TryAddSingleton<IngressSenderCheck>();
        services.TryAddSingleton<DeliveryTokens>();
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

    /// <summary>Adds the broker from the service contract's settings (<see cref="BrokerSettings"/>).</summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed, or the resources do not validate.</exception>
    public static IServiceCollection AddBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        using var loggers = LoggerFactory.Create(logging => logging.AddConsole());
        return services.AddBroker(BrokerSettings.Read(configuration, loggers.CreateLogger("Skylark.Events.Broker.Resources")));
    }
}
