using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.StateSink.Sync;
using Skylark.Events.Topology;
using StackExchange.Redis;

namespace Skylark.Events.StateSink;

public static class StateSinkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the StateSink of this node: the peer API, the propagate and ping handlers, and
    /// <see cref="HttpBundlePuller"/> as the node's <see cref="IBundlePuller"/>, so the <see cref="TieredStateReader"/>
    /// of <c>AddSkylarkState</c> pulls over the same transport and shares in-flight pulls with propagation.
    /// Configure the node and its Redis with <c>AddSkylarkState</c> (before or after this call). Sink URLs come from an
    /// <see cref="ISinkDirectory"/> registered before this call, else from the Kubernetes API
    /// (<see cref="StateSinkOptions.Kubernetes"/>), else from <see cref="StateSinkOptions.Sinks"/>; the topology from an
    /// <see cref="ITopologySource"/> registered before, else from the options. With the Kubernetes API a background
    /// service refreshes both, and <c>/readyz</c> fails until the topology has loaded. A <see cref="PropagateSenderKey"/>
    /// registered before replaces the verified subject (or, with sender identity off, the CloudEvent <c>source</c>) as
    /// the sender the fair share of awaiting fetches counts. <c>POST /</c> verifies senders as
    /// <see cref="StateSinkOptions.Verification"/> says (<see cref="StateSinkSenderCheck"/>).
    /// Everything is per service provider, so one process can host one sink per node.
    /// </summary>
    public static IServiceCollection AddStateSink(this IServiceCollection services, Action<StateSinkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSkylarkState(static _ => { });
        services.AddOptions<StateSinkOptions>()
            .Configure(configure)
            .ValidateOnStart(options => options.Validate());
        services.AddServiceMetrics(StateSinkMetrics.MeterName);

        // POST / trusts what StateSinkOptions.Verification names; nothing set keeps it open (with a warning).
        services.AddSenderVerification(static _ => { });
        services.AddOptions<Identity.SenderVerificationOptions>().Configure<IOptions<StateSinkOptions>>((verification, sink) => sink.Value.Verification.CopyTo(verification));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StateSinkOptions>>().Value);
        services.TryAddSingleton<StateSinkMetrics>();
        services.TryAddSingleton<LinkEstimates>();
        services.TryAddSingleton(sp => KubernetesTopologyRefresher.Create(
            Sink(sp).Kubernetes ?? throw new InvalidOperationException("StateSinkOptions.Kubernetes is not set: this sink does not read the Kubernetes API."),

            // The sink sees a new view at once, not at the next periodic sync: propagate commands are checked against it.
            changed: (_, cancellationToken) => sp.GetRequiredService<SinkTopology>().RefreshAsync(cancellationToken),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesTopologyRefresher>>()));
        services.TryAddSingleton<ISinkDirectory>(sp => Sink(sp).Kubernetes is not null
            ? new KubernetesSinkDirectory(sp.GetRequiredService<KubernetesTopologyRefresher>())
            : new StaticSinkDirectory(Sink(sp).Sinks));
        services.TryAddSingleton<ITopologySource>(sp => Sink(sp) switch
        {
            { Kubernetes: not null } => new KubernetesSinkTopologySource(sp.GetRequiredService<KubernetesTopologyRefresher>()),
            { Topology: { } topology } => new FixedTopologySource(topology),
            { TopologyPath: { } path } => new FileTopologySource(path),
            _ => throw new InvalidOperationException("StateSinkOptions needs a Topology, a TopologyPath or Kubernetes."),
        });
        services.TryAddSingleton(sp => new SinkTopology(
            sp.GetRequiredService<ITopologySource>(),
            State(sp).Node,
            sp.GetRequiredService<TimeProvider>(),
            Sink(sp).TopologyEpoch,
            sp.GetService<ILogger<SinkTopology>>()));
        services.TryAddSingleton(sp => new PeerAuthenticator(Sink(sp).PeerToken));
        services.TryAddSingleton(sp => new CopyLedger(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BundleStore>().Keys));
        services.TryAddSingleton(sp => new HttpBundlePuller(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(5) })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            },
            sp.GetRequiredService<ISinkDirectory>(),
            State(sp).Node,
            Sink(sp).PeerToken,
            BundleWireLimits.For(State(sp)),
            Sink(sp).MaxFetchRefs,
            sp.GetRequiredService<StateSinkMetrics>(),
            sp.GetRequiredService<CopyLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            ownsClient: true));
        services.TryAddSingleton<IBundlePuller>(sp => sp.GetRequiredService<HttpBundlePuller>());
        services.TryAddSingleton(sp => new WantedBundles(Sink(sp).MaxWanted, Sink(sp).WantedTimeToLive, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new BundlePropagator(
            sp.GetRequiredService<BundleStore>(),
            sp.GetRequiredService<InFlightPulls>(),
            sp.GetRequiredService<HttpBundlePuller>(),
            sp.GetRequiredService<WantedBundles>(),
            State(sp),
            Sink(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<BundlePropagator>>(),
            sp.GetRequiredService<BundleWriteWatcher>()));
        services.TryAddSingleton(sp => new LinkProber(
            sp.GetRequiredService<HttpBundlePuller>(),
            sp.GetRequiredService<LinkEstimates>(),
            sp.GetRequiredService<StateSinkMetrics>(),
            Sink(sp),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new BundleCensus(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BundleStore>().Keys, State(sp).Node));
        services.TryAddSingleton(sp => new LruEvictor(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<CopyLedger>()));
        services.TryAddSingleton(sp => new StateSync(
            sp.GetRequiredService<SinkTopology>(),
            sp.GetRequiredService<LinkProber>(),
            sp.GetRequiredService<BundlePropagator>(),
            sp.GetRequiredService<WantedBundles>(),
            sp.GetRequiredService<CopyLedger>(),
            sp.GetRequiredService<BundleCensus>(),
            sp.GetRequiredService<LruEvictor>(),
            sp.GetRequiredService<StateSinkMetrics>(),
            Sink(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<StateSync>>()));
        services.TryAddSingleton<PropagateSenderKey>(PropagateSenders.BySubjectOrSource);
        services.TryAddSingleton(sp => new StateSinkSenderCheck(
            sp.GetRequiredService<SenderAuthenticator>(),
            Sink(sp),
            State(sp).Node,
            sp.GetRequiredService<ILogger<StateSinkSenderCheck>>()));
        services.TryAddSingleton<PeerEndpoints>();
        services.TryAddSingleton<StateSinkReceiver>();
        services.AddReadinessCheck<SinkTopologyReadinessCheck>(SinkTopologyReadinessCheck.Name);
        services.AddHostedService<KubernetesTopologyRefreshService>();
        return services;
    }

    /// <summary>
    /// Registers the sink and this node's state from the service contract's settings (docs/configuration.md), as the
    /// standalone service reads them.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static IServiceCollection AddStateSink(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = StateSinkSettings.From(configuration);
        services.AddSkylarkState(settings.State);
        return services.AddStateSink(settings.Configure);
    }

    private static StateSinkOptions Sink(IServiceProvider services) => services.GetRequiredService<IOptions<StateSinkOptions>>().Value;

    private static StateOptions State(IServiceProvider services) => services.GetRequiredService<IOptions<StateOptions>>().Value;
}
