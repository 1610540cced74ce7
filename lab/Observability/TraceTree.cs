using System.Globalization;
using System.Text;
using Skylark.Events.Contracts;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// A trace as text for <c>skylark trace</c>: one line per span, indented under its parent, with its offset from the
/// trace's first span, its duration, service, node and name; then where the time went. The sums of the summary
/// overlap (a delivery contains the function it invokes, a function its reads), so they are not meant to add up.
/// </summary>
public static class TraceTree
{
    public static string Render(TraceView trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var text = new StringBuilder();
        var spans = trace.Spans.OrderBy(s => s.StartUnixNano).ToList();
        if (spans.Count == 0)
        {
            return $"Trace {trace.TraceId} of workflow {trace.WorkflowId}: no spans.{Environment.NewLine}";
        }

        var origin = spans[0].StartUnixNano;
        var end = spans.Max(s => s.StartUnixNano + (long)(s.DurationMs * 1_000_000));
        Line(text, $"Trace {trace.TraceId} of workflow {trace.WorkflowId}: {spans.Count} spans over {Ms((end - origin) / 1_000_000.0)}");
        Line(text, "");
        Line(text, $"{"offset",10}  {"duration",10}  {"service",-12}  {"node",-8}  span");

        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans
            .Where(s => s.ParentSpanId is { } parent && ids.Contains(parent))
            .ToLookup(s => s.ParentSpanId!, StringComparer.Ordinal);

        // Spans whose parent is not in the trace (the first one, or a parent outside this process) are roots.
        foreach (var root in spans.Where(s => s.ParentSpanId is not { } parent || !ids.Contains(parent)))
        {
            Write(text, root, 0, origin, children);
        }

        Line(text, "");
        Line(text, "Where the time went (sums; they overlap):");
        Summary(text, "broker queues", Sum(spans, s => Number(s, CloudEventTracing.QueuedTag)));
        Summary(text, "broker deliveries", Sum(spans, s => Operation(s) == "send" && s.Service == "Broker" ? s.DurationMs : null));
        Summary(text, "functions", Sum(spans, s => s.Service == "Functions" && !IsRead(s) ? s.DurationMs : null));
        Summary(text, "waiting for state", Sum(spans, s => IsRead(s) && s.Attributes[CloudEventTracing.ReadTag] is "waited" or "remote" ? s.DurationMs : null));
        Summary(text, "predictor decisions", Sum(spans, s => s.Service == "Predictor" ? s.DurationMs : null));
        Summary(text, "pulls across links", Sum(spans, s => s.Service == "StateSink" ? s.DurationMs : null));
        Summary(text, "link wait", Sum(spans, s => Number(s, CloudEventTracing.LinkWaitTag)));
        return text.ToString();
    }

    private static void Write(StringBuilder text, SpanView span, int depth, long origin, ILookup<string, SpanView> children)
    {
        var offset = (span.StartUnixNano - origin) / 1_000_000.0;
        var detail = span.Attributes.TryGetValue(CloudEventTracing.ReadTag, out var read) && read is not null ? $" [{read}]" : "";
        Line(text, $"{"+" + Ms(offset),10}  {Ms(span.DurationMs),10}  {span.Service,-12}  {span.Node ?? "-",-8}  {new string(' ', depth * 2)}{span.Name}{detail}");
        foreach (var child in children[span.SpanId])
        {
            Write(text, child, depth + 1, origin, children);
        }
    }

    private static bool IsRead(SpanView span) => span.Attributes.ContainsKey(CloudEventTracing.ReadTag);

    private static string? Operation(SpanView span) => span.Attributes.GetValueOrDefault(CloudEventTracing.MessagingOperationTag);

    private static double? Number(SpanView span, string attribute) =>
        span.Attributes.GetValueOrDefault(attribute) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static (double Ms, int Spans) Sum(IEnumerable<SpanView> spans, Func<SpanView, double?> pick)
    {
        var (total, count) = (0.0, 0);
        foreach (var span in spans)
        {
            if (pick(span) is { } value)
            {
                total += value;
                count++;
            }
        }

        return (total, count);
    }

    private static void Summary(StringBuilder text, string what, (double Ms, int Spans) sum) =>
        Line(text, $"  {what,-20} {Ms(sum.Ms),10}  ({sum.Spans} span{(sum.Spans == 1 ? "" : "s")})");

    private static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static void Line(StringBuilder text, string line) => text.Append(line.TrimEnd()).Append('\n');
}
