using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Lab.Dashboard;

/// <summary>
/// A workflow's trace as the observer saw it, for when no trace store runs: the workflow from its frame's capture to
/// its end, one span per function reply (it ends at the reply's <c>time</c> and lasts what the function reported), and
/// under each function its state reads, laid end to end from the function's start (the reports give their durations,
/// not their start times).
/// </summary>
public sealed class ObservedWorkflowTraces(DashboardFeed feed) : IWorkflowTraceSource
{
    public Task<TraceView?> FindAsync(string workflowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        return Task.FromResult(feed.Find(workflowId) is { } workflow ? Build(workflow) : null);
    }

    private static TraceView Build(RecentWorkflowView workflow)
    {
        var replies = workflow.Replies ?? [];
        var functionStarts = replies.Select(r => (r.Time ?? workflow.EndedAt ?? DateTimeOffset.MinValue) - TimeSpan.FromMilliseconds(r.DurationMs)).ToList();
        var start = workflow.CapturedAt ?? (functionStarts.Count > 0 ? functionStarts.Min() : workflow.EndedAt ?? DateTimeOffset.UnixEpoch);
        var end = workflow.EndedAt ?? (replies.Count > 0 ? replies.Max(r => r.Time ?? start) : start);
        var rootId = SpanId(workflow.Id, "workflow");
        var spans = new List<SpanView>
        {
            Span(
                rootId,
                null,
                "workflow",
                "camera-pipeline",
                null,
                start,
                Math.Max(0, (end - start).TotalMilliseconds),
                Attributes(("camera", workflow.Camera), ("seq", workflow.Seq?.ToString(CultureInfo.InvariantCulture)), ("state", workflow.State))),
        };
        for (var i = 0; i < replies.Count; i++)
        {
            var reply = replies[i];
            var functionId = SpanId(workflow.Id, $"{i}:{reply.Function}");
            spans.Add(Span(
                functionId,
                rootId,
                reply.Function,
                reply.Function,
                reply.Node,
                functionStarts[i],
                reply.DurationMs,
                Attributes(("reads", reply.Reads.Count.ToString(CultureInfo.InvariantCulture)))));
            var readStart = functionStarts[i];
            for (var r = 0; r < reply.Reads.Count; r++)
            {
                var read = reply.Reads[r];
                spans.Add(Span(
                    SpanId(workflow.Id, $"{i}:{reply.Function}:read:{r}"),
                    functionId,
                    $"read {BundleName(read.Ref)}",
                    reply.Function,
                    reply.Node,
                    readStart,
                    read.DurationMs,
                    Attributes(("source", read.Source), ("bytes", read.Bytes.ToString(CultureInfo.InvariantCulture)), ("ref", read.Ref))));
                readStart += TimeSpan.FromMilliseconds(read.DurationMs);
            }
        }

        return new TraceView(workflow.Id, TraceId(workflow.Id), [.. spans.OrderBy(s => s.StartUnixNano)]);
    }

    private static SpanView Span(
        string id, string? parent, string name, string service, string? node, DateTimeOffset start, double durationMs, Dictionary<string, string?> attributes) =>
        new(id, parent, name, service, node, start, (start - DateTimeOffset.UnixEpoch).Ticks * 100, durationMs, attributes);

    private static string BundleName(string? reference) =>
        reference is null ? "state" : reference[(reference.LastIndexOf('/') + 1)..];

    private static Dictionary<string, string?> Attributes(params (string Key, string? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    // Stable ids in W3C trace-context form, so the same workflow always yields the same trace.
    private static string TraceId(string workflowId) => Hex(workflowId, 16);

    private static string SpanId(string workflowId, string part) => Hex(workflowId + "\n" + part, 8);

    private static string Hex(string text, int bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, bytes));
}
