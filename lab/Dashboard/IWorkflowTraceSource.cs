using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Lab.Dashboard;

/// <summary>
/// Where the dashboard gets one workflow's trace for its waterfall (<c>GET /api/traces/{workflowId}</c>), in the one
/// shape <c>skylark trace</c> also reads (<see cref="TraceView"/>): the services' own spans where a
/// <see cref="TraceStore"/> records them (<see cref="StoredWorkflowTraces"/>), otherwise what the workflow observer
/// saw (<see cref="ObservedWorkflowTraces"/>).
/// </summary>
public interface IWorkflowTraceSource
{
    /// <returns>Null when the workflow is unknown (never seen, or no longer kept).</returns>
    Task<TraceView?> FindAsync(string workflowId, CancellationToken cancellationToken);
}

/// <summary>The spans a <see cref="TraceStore"/> recorded; <paramref name="fallback"/> for a workflow it has none of.</summary>
public sealed class StoredWorkflowTraces(TraceStore store, IWorkflowTraceSource fallback) : IWorkflowTraceSource
{
    public Task<TraceView?> FindAsync(string workflowId, CancellationToken cancellationToken) =>
        store.Find(workflowId) is { } trace ? Task.FromResult<TraceView?>(trace) : fallback.FindAsync(workflowId, cancellationToken);
}
