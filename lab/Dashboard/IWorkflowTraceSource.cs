using System.Text.Json.Serialization;

namespace Skylark.Events.Lab.Dashboard;

/// <summary>
/// Where the dashboard gets one workflow's trace for its waterfall (<c>GET /api/traces/{workflowId}</c>). The dashboard
/// serves <see cref="ObservedWorkflowTraces"/>, built from what the workflow observer saw; a trace store that records
/// the services' own spans replaces it by implementing this interface with the same JSON.
/// </summary>
public interface IWorkflowTraceSource
{
    /// <returns>Null when the workflow is unknown (never seen, or no longer kept).</returns>
    Task<WorkflowTraceView?> FindAsync(string workflowId, CancellationToken cancellationToken);
}

/// <summary>One workflow's trace: its spans, each placed by <see cref="TraceSpanView.StartTime"/> from <see cref="StartTime"/>.</summary>
public sealed record WorkflowTraceView(
    [property: JsonPropertyName("workflowId")] string WorkflowId,
    [property: JsonPropertyName("traceId")] string TraceId,
    [property: JsonPropertyName("startTime")] DateTimeOffset StartTime,
    [property: JsonPropertyName("spans")] IReadOnlyList<TraceSpanView> Spans);

public sealed record TraceSpanView(
    [property: JsonPropertyName("spanId")] string SpanId,
    [property: JsonPropertyName("parentSpanId")] string? ParentSpanId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("startTime")] DateTimeOffset StartTime,
    [property: JsonPropertyName("durationMs")] double DurationMs,
    [property: JsonPropertyName("attributes")] IReadOnlyDictionary<string, string> Attributes);
