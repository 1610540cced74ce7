using Skylark.Events.Hosting;

namespace Skylark.Events.DeadLetters;

public static class DeadLetterEndpointRouteBuilderExtensions
{
    /// <summary>The path of the listing.</summary>
    public const string ListPath = "/dead-letters";

    /// <summary>
    /// Maps <c>POST {pattern}</c> (a dead letter, as the broker's deadLetterSink), <c>GET /dead-letters</c> (the
    /// records, oldest first) and the service contract's <c>/healthz</c>, <c>/readyz</c> (the log's file is open and
    /// writable) and <c>/metrics</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var handlers = endpoints.ServiceProvider.GetRequiredService<DeadLetterEndpoints>();
        endpoints.MapPost(pattern, handlers.AppendAsync);
        endpoints.MapGet(ListPath, handlers.ListAsync);
        endpoints.MapServiceEndpoints();
        return endpoints;
    }
}
