using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.State.Functions;

public static class FunctionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {pattern}</c> (CloudEvent deliveries, answered by <paramref name="handler"/> through the function's
    /// <see cref="FunctionRuntime"/>) and <c>GET {pattern}/healthz</c>. The runtime is resolved now, so a misconfigured
    /// function fails at startup rather than on its first event.
    /// </summary>
    public static RouteGroupBuilder MapSkylarkFunction(this IEndpointRouteBuilder endpoints, string function, string pattern, FunctionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        var runtime = endpoints.ServiceProvider.GetRequiredKeyedService<FunctionRuntime>(function);
        var group = endpoints.MapGroup(pattern);
        group.MapPost("/", context => runtime.InvokeAsync(context, handler));
        group.MapGet("/healthz", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(
                JsonSerializer.Serialize(new { status = "ok", function = runtime.Function, node = runtime.HostNode }, ContractJson.Options),
                context.RequestAborted);
        });
        return group;
    }
}
