using System.Diagnostics;
using System.Globalization;
using Skylark.Events.Contracts;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// Finished spans kept in memory for <c>skylark up</c> and <c>demo</c>, grouped by trace and found by the workflow id
/// they carry (<c>skylark.workflow_id</c>; a workflow is found under the first trace that named it): those of every
/// <c>Skylark.Events.*</c> source in this process (unless made with <c>listen: false</c>), and those other processes
/// exported to it (<see cref="Add(ActivityTraceId, SpanView, string?)"/>, from <see cref="OtlpTraceReceiver"/>).
/// Bounded: at most <see cref="Capacity"/> traces (the oldest is dropped) of at most <see cref="MaxSpansPerTrace"/>
/// spans each. While a listening store exists the services' sources have a listener, so they start spans; its
/// <see cref="Sampler"/> decides which are recorded (by default at most <see cref="DefaultNewTracesPerSecond"/> new
/// traces a second, each kept whole). Disposing it stops that.
/// </summary>
public sealed class TraceStore : IDisposable
{
    public const int DefaultCapacity = 2_000;

    public const int MaxSpansPerTrace = 1_000;

    /// <summary>
    /// New traces a second a store records by default: far above a demo's workflows (a few a second), far below a
    /// broker at full speed, where every event starts a trace and recording each one costs a fifth to a third of its
    /// throughput (docs/benchmarks.md).
    /// </summary>
    public const double DefaultNewTracesPerSecond = 100;

    /// <summary>The attributes an error status is shown as (OpenTelemetry's names for it on non-OTLP exporters).</summary>
    public const string StatusCodeAttribute = "otel.status_code";

    public const string StatusDescriptionAttribute = "otel.status_description";

    private static readonly DateTimeOffset UnixEpoch = DateTimeOffset.UnixEpoch;

    private readonly Lock gate = new();
    private readonly Dictionary<ActivityTraceId, KeptTrace> traces = [];
    private readonly Dictionary<string, KeptTrace> traceOfWorkflow = new(StringComparer.Ordinal);
    private readonly Queue<KeptTrace> order = new();
    private readonly ActivityListener? listener;

    /// <param name="capacity">How many traces are kept.</param>
    /// <param name="listen">
    /// False keeps only the spans given to <see cref="Add(ActivityTraceId, SpanView, string?)"/>: a store fed by other
    /// processes must not also record (and make traced) the sources of the process it runs in.
    /// </param>
    /// <param name="sampler">
    /// Which of this process's spans are recorded; by default at most <see cref="DefaultNewTracesPerSecond"/> new traces a
    /// second. Spans given to <see cref="Add(ActivityTraceId, SpanView, string?)"/> were sampled by their own process.
    /// </param>
    public TraceStore(int capacity = DefaultCapacity, bool listen = true, TraceSampler? sampler = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Sampler = sampler ?? new TraceSampler(DefaultNewTracesPerSecond);
        if (!listen)
        {
            return;
        }

        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith(CloudEventTracing.SourcePrefix, StringComparison.Ordinal),
            Sample = Sampler.Sample,
            ActivityStopped = Add,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public int Capacity { get; }

    /// <summary>Which spans of this process the store records.</summary>
    public TraceSampler Sampler { get; }

    /// <summary>How many traces are kept now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return traces.Count;
            }
        }
    }

    /// <summary>The trace <paramref name="workflowId"/> belongs to, spans in start order; null when none is kept.</summary>
    public TraceView? Find(string workflowId)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        KeptSpan[] spans;
        ActivityTraceId traceId;
        lock (gate)
        {
            if (!traceOfWorkflow.TryGetValue(workflowId, out var trace))
            {
                return null;
            }

            traceId = trace.Id;
            spans = [.. trace.Spans];
        }

        return new TraceView(workflowId, traceId.ToHexString(), [.. spans.Select(s => s.View()).OrderBy(s => s.StartUnixNano)]);
    }

    /// <summary>The workflow ids kept, oldest trace first.</summary>
    public IReadOnlyList<string> Workflows()
    {
        lock (gate)
        {
            return [.. order.SelectMany(t => t.Workflows ?? [])];
        }
    }

    public void Dispose() => listener?.Dispose();

    /// <summary>
    /// Keeps <paramref name="span"/> of trace <paramref name="traceId"/>, under the same bounds as the spans this
    /// process records; <paramref name="workflowId"/> (its <c>skylark.workflow_id</c>, if any) finds the trace.
    /// </summary>
    public void Add(ActivityTraceId traceId, SpanView span, string? workflowId)
    {
        ArgumentNullException.ThrowIfNull(span);
        Keep(traceId, KeptSpan.Of(span), workflowId);
    }

    // Runs on the thread that stopped the span, at every span of every service, and what it keeps lives until the
    // trace is dropped: so it keeps the span's own fields and one array of its tags, and builds the view (text
    // attributes, a dictionary) only when the trace is read. Measured side by side (skylark bench --only broker):
    // building the view here left the broker 0.51 of its untraced throughput, keeping the fields 0.81.
    private void Add(Activity activity)
    {
        // Every started span stops here, recorded or not (a span not sampled only carries its trace's context on).
        if (!activity.Recorded)
        {
            return;
        }

        Keep(activity.TraceId, KeptSpan.Of(activity), activity.GetTagItem(CloudEventTracing.WorkflowIdTag) as string);
    }

    private void Keep(ActivityTraceId traceId, KeptSpan span, string? workflowId)
    {
        lock (gate)
        {
            if (!traces.TryGetValue(traceId, out var trace))
            {
                trace = new KeptTrace(traceId);
                traces[traceId] = trace;
                order.Enqueue(trace);
                while (order.Count > Capacity)
                {
                    Drop(order.Dequeue());
                }
            }

            if (trace.Spans.Count < MaxSpansPerTrace)
            {
                trace.Spans.Add(span);
            }

            if (workflowId is { Length: > 0 } && traceOfWorkflow.TryAdd(workflowId, trace))
            {
                (trace.Workflows ??= []).Add(workflowId);
            }
        }
    }

    private void Drop(KeptTrace trace)
    {
        traces.Remove(trace.Id);
        foreach (var id in trace.Workflows ?? [])
        {
            traceOfWorkflow.Remove(id);
        }
    }

    /// <summary>A source's name as a span's <see cref="SpanView.Service"/>: without <c>Skylark.Events.</c>.</summary>
    internal static string ServiceOf(string sourceName) =>
        sourceName.StartsWith(CloudEventTracing.SourcePrefix, StringComparison.Ordinal)
            ? sourceName[CloudEventTracing.SourcePrefix.Length..]
            : sourceName;

    private sealed class KeptTrace(ActivityTraceId id)
    {
        public ActivityTraceId Id { get; } = id;

        // Spans are structs in the list's one array: a kept span adds no object of its own but its tags.
        public List<KeptSpan> Spans { get; } = new(4);

        public List<string>? Workflows { get; set; }
    }

    /// <summary>A span as kept: a received one's view, or a recorded one's fields, turned into a view when read.</summary>
    private readonly record struct KeptSpan(
        SpanView? Received,
        string SpanId,
        string? ParentSpanId,
        string Name,
        string SourceName,
        DateTime StartUtc,
        TimeSpan Duration,
        KeyValuePair<string, object?>[] Tags,
        string? ErrorDescription,
        bool Failed)
    {
        public static KeptSpan Of(SpanView received) =>
            new(received, received.SpanId, received.ParentSpanId, received.Name, received.Service, default, default, [], null, false);

        public static KeptSpan Of(Activity activity)
        {
            var count = 0;
            foreach (var _ in activity.TagObjects)
            {
                count++;
            }

            var tags = new KeyValuePair<string, object?>[count];
            var i = 0;
            foreach (var tag in activity.TagObjects)
            {
                if (i == count)
                {
                    break;
                }

                tags[i++] = tag;
            }

            var parent = activity.ParentSpanId;
            var failed = activity.Status == ActivityStatusCode.Error;
            return new KeptSpan(
                null,
                activity.SpanId.ToHexString(),
                parent == default ? null : parent.ToHexString(),
                activity.DisplayName,
                activity.Source.Name,
                activity.StartTimeUtc,
                activity.Duration,
                tags,
                failed ? activity.StatusDescription : null,
                failed);
        }

        public SpanView View()
        {
            if (Received is not null)
            {
                return Received;
            }

            var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? node = null;
            foreach (var (key, value) in Tags)
            {
                var text = value switch
                {
                    null => null,
                    IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                };
                attributes[key] = text;
                if (key == CloudEventTracing.NodeTag)
                {
                    node = text;
                }
            }

            if (Failed)
            {
                attributes[StatusCodeAttribute] = "ERROR";
                attributes[StatusDescriptionAttribute] = ErrorDescription;
            }

            var start = new DateTimeOffset(StartUtc, TimeSpan.Zero);
            return new SpanView(
                SpanId,
                ParentSpanId,
                Name,
                ServiceOf(SourceName),
                node,
                start,
                (start - UnixEpoch).Ticks * 100,
                Math.Round(Duration.TotalMilliseconds, 3),
                attributes);
        }
    }
}
