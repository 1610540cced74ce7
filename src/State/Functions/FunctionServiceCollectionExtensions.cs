using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;

namespace Skylark.Events.State.Functions;

public static class FunctionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="FunctionRuntime"/> of <paramref name="function"/> as a keyed singleton (key: the function
    /// name), on the node of the registered state (<see cref="StateServiceCollectionExtensions.AddSkylarkState(IServiceCollection, Action{StateOptions})"/>): its
    /// <see cref="FunctionOptions"/> are (<paramref name="function"/>, the store's node). Several functions can share one
    /// container; each gets its own scoped store.
    /// </summary>
    public static IServiceCollection AddSkylarkFunction(this IServiceCollection services, string function, int maxEventBytes = FunctionOptions.DefaultMaxEventBytes)
    {
        ArgumentNullException.ThrowIfNull(services);
        _ = BundleScope.ForFunction(function);
        services.AddServiceMetrics(StateReadMetrics.MeterName);
        services.AddKeyedSingleton(function, (sp, _) =>
        {
            var store = sp.GetRequiredService<BundleStore>();
            return new FunctionRuntime(
                new FunctionOptions(function, store.Node, maxEventBytes, sp.GetService<IOptions<StateOptions>>()?.Value.HostNode),
                store,
                sp.GetRequiredService<IStateReader>(),
                sp.GetRequiredService<StateReadMetrics>(),
                canPull: sp.GetService<IBundlePuller>() is not null,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<FunctionRuntime>>());
        });
        return services;
    }
}
