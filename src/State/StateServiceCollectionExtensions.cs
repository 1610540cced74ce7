using Skylark.Events.Contracts;
using Skylark.Events.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;
using StackExchange.Redis;

namespace Skylark.Events.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers this node's state: one shared <see cref="IConnectionMultiplexer"/> (unless one is registered already),
    /// the unrestricted <see cref="BundleStore"/>, its <see cref="BundleWriteWatcher"/>, <see cref="InFlightPulls"/>, <see cref="StateReadMetrics"/> and an
    /// <see cref="IStateReader"/> (<see cref="TieredStateReader"/>) that pulls through the <see cref="IBundlePuller"/>
    /// registered by the StateSink, if any, and the readiness check <c>redis</c> (<see cref="RedisReadinessCheck"/>). Functions derive their scoped store with <see cref="BundleStore.ForFunction"/>.
    /// </summary>
    public static IServiceCollection AddSkylarkState(this IServiceCollection services, Action<StateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<StateOptions>()
            .Configure(configure)
            .ValidateOnStart(options => options.Validate());
        services.AddReadinessCheck<RedisReadinessCheck>("redis");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
            ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<StateOptions>>().Value.ToRedisConfiguration()));
        services.TryAddSingleton(sp => new BundleStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<StateOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new BundleWriteWatcher(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<BundleStore>(),
            sp.GetRequiredService<IOptions<StateOptions>>().Value.MaxWriteWaiters,
            timeProvider: sp.GetRequiredService<TimeProvider>(),
            logger: sp.GetService<ILogger<BundleWriteWatcher>>()));
        services.TryAddSingleton(sp => new InFlightPulls(sp.GetRequiredService<IOptions<StateOptions>>().Value.MaxInFlightPulls));
        services.TryAddSingleton<StateReadMetrics>();
        services.TryAddSingleton<IStateReader>(sp => new TieredStateReader(
            sp.GetRequiredService<BundleStore>(),
            sp.GetRequiredService<InFlightPulls>(),
            sp.GetRequiredService<StateReadMetrics>(),
            sp.GetService<IBundlePuller>(),
            sp.GetRequiredService<IOptions<StateOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<TieredStateReader>>()));
        return services;
    }

    /// <summary>
    /// Registers this node's state from the service contract's settings (<see cref="StateSettings"/>); with
    /// <see cref="StateSettings.NodeSink"/>, reads of other nodes' state go through that sink (<see cref="NodeSinkPuller"/>).
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static IServiceCollection AddSkylarkState(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = new ServiceConfiguration(configuration);
        var state = StateSettings.ReadForFunction(settings);
        settings.ThrowIfInvalid();
        return services.AddSkylarkState(state);
    }

    /// <summary>
    /// Registers this node's state from a function's settings; with <see cref="FunctionStateSettings.NodeSink"/>,
    /// reads of other nodes' state go through that sink (<see cref="NodeSinkPuller"/>).
    /// </summary>
    public static IServiceCollection AddSkylarkState(this IServiceCollection services, FunctionStateSettings state)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(state);
        services.AddSkylarkState(state.Configure);
        if (state.NodeSink is { } sink)
        {
            services.AddHttpClient(nameof(NodeSinkPuller), client => client.Timeout = Timeout.InfiniteTimeSpan)
                .AddSenderToken(_ => state.TokenFile, _ => SkylarkAudiences.StateSink(NodeOf(state)));
            services.TryAddSingleton<IBundlePuller>(sp => new NodeSinkPuller(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(NodeSinkPuller)),
                sink,
                sp.GetRequiredService<BundleStore>(),
                sp.GetRequiredService<IOptions<StateOptions>>().Value.PullTimeout,
                sp.GetRequiredService<TimeProvider>()));
        }

        return services;
    }

    /// <summary>The node <paramref name="state"/> configures: its StateSink is the audience of the function's requests.</summary>
    private static string NodeOf(FunctionStateSettings state)
    {
        var options = new StateOptions();
        state.Configure(options);
        return options.Node;
    }
}
