namespace Skylark.Events.Lab.Observability;

/// <summary>The trace API of <c>skylark up</c>'s in-process runtime, mounted on whatever app serves it.</summary>
public static class TraceEndpoints
{
    public const string Route = "/api/traces/{workflowId}";

    /// <summary>Maps <c>GET /api/traces/{workflowId}</c>: the workflow's <see cref="TraceView"/>, or 404 when none is kept.</summary>
    public static IEndpointRouteBuilder MapTraces(this IEndpointRouteBuilder endpoints, TraceStore store)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        endpoints.MapGet(Route, (string workflowId) => store.Find(workflowId) is { } trace
            ? Results.Ok(trace)
            : Results.NotFound(new { error = $"no trace of workflow '{workflowId}' is kept (the newest {store.Capacity} traces are)" }));
        return endpoints;
    }
}
