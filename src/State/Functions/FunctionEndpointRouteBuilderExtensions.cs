using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Hosting;

namespace Skylark.Events.State.Functions;

public static class FunctionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {pattern}</c> (CloudEvent deliveries, answered by <paramref name="handler"/> through the function's
    /// <see cref="FunctionRuntime"/>), <c>GET {pattern}/status</c> (which function on which node, JSON) and the service
    /// contract's <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> at the root. The runtime is resolved now, so a
    /// misconfigured function fails at startup rather than on its first event.
    /// </summary>
    public static RouteGroupBuilder MapSkylarkFunction(this IEndpointRouteBuilder endpoints, string function, string pattern, FunctionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        var runtime = endpoints.ServiceProvider.GetRequiredKeyedService<FunctionRuntime>(function);
        var group = endpoints.MapGroup(pattern);
        group.MapPost("/", context => runtime.InvokeAsync(context, handler));
        group.MapGet("/status", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(
                JsonSerializer.Serialize(new { status = "ok", function = runtime.Function, node = runtime.HostNode }, ContractJson.Options),
                context.RequestAborted);
        });
        endpoints.MapServiceEndpoints();
        return group;
    }
}
