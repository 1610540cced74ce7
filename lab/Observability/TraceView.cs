using System.Text.Json.Serialization;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// One workflow's trace as <c>GET /api/traces/{workflowId}</c> answers it (camelCase JSON): every span of the trace,
/// in start order.
/// </summary>
public sealed record TraceView(
    [property: JsonPropertyName("workflowId")] string WorkflowId,
    [property: JsonPropertyName("traceId")] string TraceId,
    [property: JsonPropertyName("spans")] IReadOnlyList<SpanView> Spans);

/// <summary>
/// One finished span. <c>service</c> is its source's name without <c>Skylark.Events.</c> (Broker, Functions,
/// Predictor, StateSink, CameraIngest); <c>node</c> its <c>skylark.node</c>; <c>startUnixNano</c> and <c>start</c> the
/// same instant; <c>attributes</c> its tags as text.
/// </summary>
public sealed record SpanView(
    [property: JsonPropertyName("spanId")] string SpanId,
    [property: JsonPropertyName("parentSpanId")] string? ParentSpanId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("startUnixNano")] long StartUnixNano,
    [property: JsonPropertyName("durationMs")] double DurationMs,
    [property: JsonPropertyName("attributes")] IReadOnlyDictionary<string, string?> Attributes);
