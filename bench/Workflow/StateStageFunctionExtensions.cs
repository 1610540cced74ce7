using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Benchmarks.Workflow;

public static class StateStageFunctionExtensions
{
    /// <summary>Registers the stage <paramref name="stage"/> on the node of the registered state (AddSkylarkState must be called too).</summary>
    public static IServiceCollection AddStateStageFunction(this IServiceCollection services, string stage)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSkylarkFunction(stage);
        services.TryAddKeyedSingleton(stage, (sp, _) => new StateStageFunction(sp.GetRequiredKeyedService<FunctionRuntime>(stage)));
        return services;
    }

    /// <summary>Maps <c>POST {pattern}</c> and <c>GET {pattern}/status</c>; the service contract's <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> at the root.for the stage.</summary>
    public static RouteGroupBuilder MapStateStageFunction(this IEndpointRouteBuilder endpoints, string stage, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = endpoints.ServiceProvider.GetRequiredKeyedService<StateStageFunction>(stage);
        return endpoints.MapSkylarkFunction(stage, pattern, function.HandleAsync);
    }
}
