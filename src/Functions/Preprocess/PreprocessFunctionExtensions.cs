using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Preprocess;

public static class PreprocessFunctionExtensions
{
    /// <summary>Registers preprocess on the node of the registered state (AddSkylarkState must be called too).</summary>
    public static IServiceCollection AddPreprocessFunction(this IServiceCollection services, Action<PreprocessFunctionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PreprocessFunctionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSkylarkFunction(PreprocessBundles.Function);
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<PreprocessFunction>(
            sp, sp.GetRequiredKeyedService<FunctionRuntime>(PreprocessBundles.Function)));
        return services;
    }

    /// <summary>Maps <c>POST {pattern}</c> for camera-frame deliveries and <c>GET {pattern}/status</c>; the service contract's <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> at the root.</summary>
    public static RouteGroupBuilder MapPreprocessFunction(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = endpoints.ServiceProvider.GetRequiredService<PreprocessFunction>();
        return endpoints.MapSkylarkFunction(PreprocessBundles.Function, pattern, function.HandleAsync);
    }
}
