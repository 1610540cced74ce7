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
/// spans each. While a listening store exists the services' sources have a listener, so they record spans; disposing
/// it stops that.
/// </summary>
public sealed class TraceStore : IDisposable
{
    public const int DefaultCapacity = 2_000;

    public const int MaxSpansPerTrace = 1_000;

    /// <summary>The attributes an error status is shown as (OpenTelemetry's names for it on non-OTLP exporters).</summary>
    public const string StatusCodeAttribute = "otel.status_code";

    public const string StatusDescriptionAttribute = "otel.status_description";

    private static readonly DateTimeOffset UnixEpoch = DateTimeOffset.UnixEpoch;

    private readonly Lock gate = new();
    private readonly Dictionary<ActivityTraceId, List<IKeptSpan>> traces = [];
    private readonly Dictionary<ActivityTraceId, List<string>> workflowsOfTrace = [];
    private readonly Dictionary<string, ActivityTraceId> traceOfWorkflow = new(StringComparer.Ordinal);
    private readonly Queue<ActivityTraceId> order = new();
    private readonly ActivityListener? listener;

    /// <param name="capacity">How many traces are kept.</param>
    /// <param name="listen">
    /// False keeps only the spans given to <see cref="Add(ActivityTraceId, SpanView, string?)"/>: a store fed by other
    /// processes must not also record (and make traced) the sources of the process it runs in.
    /// </param>
    public TraceStore(int capacity = DefaultCapacity, bool listen = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        if (!listen)
        {
            return;
        }

        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith(CloudEventTracing.SourcePrefix, StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Add,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public int Capacity { get; }

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
        lock (gate)
        {
            if (!traceOfWorkflow.TryGetValue(workflowId, out var traceId) || !traces.TryGetValue(traceId, out var spans))
            {
                return null;
            }

            return new TraceView(workflowId, traceId.ToHexString(), [.. spans.Select(s => s.View()).OrderBy(s => s.StartUnixNano)]);
        }
    }

    /// <summary>The workflow ids kept, oldest trace first.</summary>
    public IReadOnlyList<string> Workflows()
    {
        lock (gate)
        {
            return [.. order.SelectMany(t => workflowsOfTrace.TryGetValue(t, out var ids) ? ids : [])];
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
        Keep(traceId, new ReceivedSpan(span), workflowId);
    }

    private void Keep(ActivityTraceId traceId, IKeptSpan span, string? workflowId)
    {
        lock (gate)
        {
            if (!traces.TryGetValue(traceId, out var spans))
            {
                spans = [];
                traces[traceId] = spans;
                order.Enqueue(traceId);
                while (order.Count > Capacity)
                {
                    Drop(order.Dequeue());
                }
            }

            if (spans.Count < MaxSpansPerTrace)
            {
                spans.Add(span);
            }

            if (workflowId is { Length: > 0 } && traceOfWorkflow.TryAdd(workflowId, traceId))
            {
                if (!workflowsOfTrace.TryGetValue(traceId, out var ids))
                {
                    workflowsOfTrace[traceId] = ids = [];
                }

                ids.Add(workflowId);
            }
        }
    }

    // Runs on the thread that stopped the span, at every span of every service, and what it keeps lives until the
    // trace is dropped: so it keeps the span's own fields and one array of its tags, and builds the view (text
    // attributes, a dictionary) only when the trace is read. Measured side by side (skylark bench --quick --only
    // broker): building the view here left the broker 0.51 of its untraced throughput, keeping the fields 0.79.
    private void Add(Activity activity) =>
        Keep(activity.TraceId, new RecordedSpan(activity), activity.GetTagItem(CloudEventTracing.WorkflowIdTag) as string);

    private void Drop(ActivityTraceId traceId)
    {
        traces.Remove(traceId);
        if (workflowsOfTrace.Remove(traceId, out var ids))
        {
            foreach (var id in ids)
            {
                traceOfWorkflow.Remove(id);
            }
        }
    }

    /// <summary>A source's name as a span's <see cref="SpanView.Service"/>: without <c>Skylark.Events.</c>.</summary>
    internal static string ServiceOf(string sourceName) =>
        sourceName.StartsWith(CloudEventTracing.SourcePrefix, StringComparison.Ordinal)
            ? sourceName[CloudEventTracing.SourcePrefix.Length..]
            : sourceName;

    /// <summary>A span as kept: turned into its <see cref="SpanView"/> when read.</summary>
    private interface IKeptSpan
    {
        SpanView View();
    }

    private sealed class ReceivedSpan(SpanView view) : IKeptSpan
    {
        public SpanView View() => view;
    }

    private sealed class RecordedSpan : IKeptSpan
    {
        private readonly string spanId;
        private readonly string? parentSpanId;
        private readonly string name;
        private readonly string sourceName;
        private readonly DateTime startUtc;
        private readonly TimeSpan duration;
        private readonly KeyValuePair<string, object?>[] tags;
        private readonly string? errorDescription;
        private readonly bool failed;

        public RecordedSpan(Activity activity)
        {
            spanId = activity.SpanId.ToHexString();
            var parent = activity.ParentSpanId;
            parentSpanId = parent == default ? null : parent.ToHexString();
            name = activity.DisplayName;
            sourceName = activity.Source.Name;
            startUtc = activity.StartTimeUtc;
            duration = activity.Duration;
            failed = activity.Status == ActivityStatusCode.Error;
            errorDescription = failed ? activity.StatusDescription : null;
            var count = 0;
            foreach (var _ in activity.TagObjects)
            {
                count++;
            }

            tags = new KeyValuePair<string, object?>[count];
            var i = 0;
            foreach (var tag in activity.TagObjects)
            {
                if (i == count)
                {
                    break;
                }

                tags[i++] = tag;
            }
        }

        public SpanView View()
        {
            var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? node = null;
            foreach (var (key, value) in tags)
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

            if (failed)
            {
                attributes[StatusCodeAttribute] = "ERROR";
                attributes[StatusDescriptionAttribute] = errorDescription;
            }

            var start = new DateTimeOffset(startUtc, TimeSpan.Zero);
            return new SpanView(
                spanId,
                parentSpanId,
                name,
                ServiceOf(sourceName),
                node,
                start,
                (start - UnixEpoch).Ticks * 100,
                Math.Round(duration.TotalMilliseconds, 3),
                attributes);
        }
    }
}
