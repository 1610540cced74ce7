using Skylark.Events.Contracts;
using Skylark.Events.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Predictor.Databelt;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Predictor.Persistence;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Predictor.Triggers;
using Skylark.Events.Topology;

namespace Skylark.Events.Predictor;

public static class PredictorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Predictor: the Triggers loaded from <see cref="PredictorOptions.EventingPaths"/>, the topology
    /// (a registered <see cref="TopologyClock"/> wins over <see cref="PredictorOptions.Kubernetes"/> and
    /// <see cref="PredictorOptions.TopologyPath"/>, so an in-process host shares one clock; from the Kubernetes API a
    /// background service refreshes it and <c>/readyz</c> fails until it has loaded), the policy
    /// <see cref="PredictorOptions.Policy"/> selects as the <see cref="IPropagationPolicy"/> (<see cref="NextHopPredictor"/> or <see cref="DatabeltPolicy"/>), the
    /// completion queue, the sender to the broker ingress, model persistence in Redis (predictive policy only) and the
    /// worker. Map the endpoint with <c>MapPredictor</c>.
    /// </summary>
    public static IServiceCollection AddPredictor(this IServiceCollection services, Action<PredictorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PredictorOptions>()
            .Configure(configure)
            .ValidateOnStart(options => options.Validate());
        services.AddReadinessCheck<PredictorReadinessCheck>("predictor");
        services.AddServiceMetrics(PredictorMetrics.MeterName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PredictorMetrics>();
        services.TryAddSingleton(sp => LoadTriggers(sp.GetRequiredService<IOptions<PredictorOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => LoadTopology(sp));
        services.TryAddSingleton(sp => KubernetesTopologyRefresher.Create(
            sp.GetRequiredService<IOptions<PredictorOptions>>().Value.Kubernetes
                ?? throw new InvalidOperationException("PredictorOptions.Kubernetes is not set: this Predictor does not read the Kubernetes API."),
            changed: (cluster, _) =>
            {
                sp.GetRequiredService<PredictorTopology>().Apply(cluster);
                return Task.CompletedTask;
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesTopologyRefresher>>()));
        services.TryAddSingleton(sp => new NextHopPredictor(
            sp.GetRequiredService<TriggerSuccessors>(),
            sp.GetRequiredService<IOptions<PredictorOptions>>().Value,
            sp.GetRequiredService<PredictorTopology>(),
            sp.GetRequiredService<PredictorMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new DatabeltPolicy(
            sp.GetRequiredService<TriggerSuccessors>(),
            sp.GetRequiredService<IOptions<PredictorOptions>>().Value,
            sp.GetRequiredService<PredictorTopology>(),
            sp.GetRequiredService<PredictorMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IPropagationPolicy>(sp => sp.GetRequiredService<IOptions<PredictorOptions>>().Value.Policy switch
        {
            PredictorPolicy.Databelt => sp.GetRequiredService<DatabeltPolicy>(),
            _ => sp.GetRequiredService<NextHopPredictor>(),
        });
        services.TryAddSingleton(sp => new CompletionQueue(sp.GetRequiredService<IOptions<PredictorOptions>>().Value.QueueCapacity));
        services.AddHttpClient(PropagateSender.HttpClientName)
            .AddSenderToken(sp => sp.GetRequiredService<IOptions<PredictorOptions>>().Value.TokenFile, SkylarkAudiences.OfBrokerIngress);
        services.TryAddSingleton<PropagateSender>();

        // Registration order is start order and reverse stop order: the model is loaded before the worker decides
        // anything, and saved after the worker has finished.
        services.AddHostedService<ModelPersistenceService>();
        services.AddHostedService<PredictorWorker>();
        services.AddHostedService<KubernetesTopologyRefreshService>();
        return services;
    }

    /// <summary>Registers the Predictor from the service contract's settings (<see cref="PredictorSettings"/>).</summary>
    /// <exception cref="ServiceConfigurationException">A setting is malformed.</exception>
    public static IServiceCollection AddPredictor(this IServiceCollection services, IConfiguration configuration) =>
        services.AddPredictor(PredictorSettings.Read(configuration));

    private static TriggerSuccessors LoadTriggers(PredictorOptions options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(TriggerSuccessors));
        var model = options.EventingPaths.Count == 0 ? EventingModel.Empty : ResourceLoader.Load(options.EventingPaths, logger);
        var successors = new TriggerSuccessors(model, options.Broker, options.IgnoredSubscribers, options.BrokerNamespace);
        if (successors.Functions.Count == 0)
        {
            logger.LogWarning("No Trigger of broker {Namespace}/{Broker} invokes a function: nothing will be propagated", options.BrokerNamespace, options.Broker);
        }

        foreach (var trigger in successors.SkippedTriggers)
        {
            logger.LogWarning("Trigger {Trigger} has a URI subscriber, which names no function; it is not predicted", trigger);
        }

        return successors;
    }

    private static PredictorTopology LoadTopology(IServiceProvider services)
    {
        if (services.GetService<TopologyClock>() is { } clock)
        {
            return Prepared(new SnapshotElectionGraphs(clock.Schedule));
        }

        var options = services.GetRequiredService<IOptions<PredictorOptions>>().Value;
        if (options.Kubernetes is not null)
        {
            return new PredictorTopology(
                services.GetRequiredService<KubernetesTopologyRefresher>(),
                options.TopologyEpoch,
                options.Policy == PredictorPolicy.Databelt ? options.Databelt.Destination : null,
                services.GetRequiredService<TimeProvider>());
        }

        if (options.TopologyPath is not { } path)
        {
            return new PredictorTopology(null);
        }

        var topology = TopologyLoader.Load(path);
        var epoch = options.TopologyEpoch ?? services.GetRequiredService<TimeProvider>().GetUtcNow();
        return Prepared(new SnapshotElectionGraphs(new SnapshotSchedule(topology, epoch)));
    }

    private static PredictorTopology Prepared(SnapshotElectionGraphs graphs)
    {
        graphs.Prepare();
        return new PredictorTopology(graphs);
    }
}
