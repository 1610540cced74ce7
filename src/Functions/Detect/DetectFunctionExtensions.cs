using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Detect;

public static class DetectFunctionExtensions
{
    /// <summary>Registers detect on the node of the registered state (AddSkylarkState must be called too).</summary>
    public static IServiceCollection AddDetectFunction(this IServiceCollection services, Action<DetectFunctionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DetectFunctionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSkylarkFunction(DetectBundles.Function);
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<DetectFunction>(
            sp, sp.GetRequiredKeyedService<FunctionRuntime>(DetectBundles.Function)));
        return services;
    }

    /// <summary>Maps <c>POST {pattern}</c> for preprocess completions and <c>GET {pattern}/status</c>; the service contract's <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> at the root.</summary>
    public static RouteGroupBuilder MapDetectFunction(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = endpoints.ServiceProvider.GetRequiredService<DetectFunction>();
        return endpoints.MapSkylarkFunction(DetectBundles.Function, pattern, function.HandleAsync);
    }
}
