using System.Diagnostics;
using System.Globalization;
using Skylark.Events.Contracts;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// The spans of every <c>Skylark.Events.*</c> source in this process, kept in memory for <c>skylark up</c>: finished
/// spans grouped by trace and found by the workflow id they carry (<c>skylark.workflow_id</c>; a workflow is found
/// under the first trace that named it). Bounded: at most <see cref="Capacity"/> traces (the oldest is dropped) of at
/// most <see cref="MaxSpansPerTrace"/> spans each. While it exists the services' sources have a listener, so they
/// record spans; disposing it stops that.
/// </summary>
public sealed class TraceStore : IDisposable
{
    public const int DefaultCapacity = 2_000;

    public const int MaxSpansPerTrace = 1_000;

    private static readonly DateTimeOffset UnixEpoch = DateTimeOffset.UnixEpoch;

    private readonly Lock gate = new();
    private readonly Dictionary<ActivityTraceId, List<SpanView>> traces = [];
    private readonly Dictionary<ActivityTraceId, List<string>> workflowsOfTrace = [];
    private readonly Dictionary<string, ActivityTraceId> traceOfWorkflow = new(StringComparer.Ordinal);
    private readonly Queue<ActivityTraceId> order = new();
    private readonly ActivityListener listener;

    public TraceStore(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
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

            return new TraceView(workflowId, traceId.ToHexString(), [.. spans.OrderBy(s => s.StartUnixNano)]);
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

    public void Dispose() => listener.Dispose();

    private void Add(Activity activity)
    {
        var span = ToView(activity);
        var workflowId = activity.GetTagItem(CloudEventTracing.WorkflowIdTag) as string;
        lock (gate)
        {
            if (!traces.TryGetValue(activity.TraceId, out var spans))
            {
                spans = [];
                traces[activity.TraceId] = spans;
                order.Enqueue(activity.TraceId);
                while (order.Count > Capacity)
                {
                    Drop(order.Dequeue());
                }
            }

            if (spans.Count < MaxSpansPerTrace)
            {
                spans.Add(span);
            }

            if (workflowId is { Length: > 0 } && traceOfWorkflow.TryAdd(workflowId, activity.TraceId))
            {
                if (!workflowsOfTrace.TryGetValue(activity.TraceId, out var ids))
                {
                    workflowsOfTrace[activity.TraceId] = ids = [];
                }

                ids.Add(workflowId);
            }
        }
    }

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

    private static SpanView ToView(Activity activity)
    {
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in activity.TagObjects)
        {
            attributes[key] = value switch
            {
                null => null,
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }

        if (activity.Status == ActivityStatusCode.Error)
        {
            attributes["otel.status_code"] = "ERROR";
            attributes["otel.status_description"] = activity.StatusDescription;
        }

        var start = new DateTimeOffset(activity.StartTimeUtc, TimeSpan.Zero);
        var parent = activity.ParentSpanId;
        return new SpanView(
            activity.SpanId.ToHexString(),
            parent == default ? null : parent.ToHexString(),
            activity.DisplayName,
            activity.Source.Name.StartsWith(CloudEventTracing.SourcePrefix, StringComparison.Ordinal)
                ? activity.Source.Name[CloudEventTracing.SourcePrefix.Length..]
                : activity.Source.Name,
            activity.GetTagItem(CloudEventTracing.NodeTag) as string,
            start,
            (start - UnixEpoch).Ticks * 100,
            Math.Round(activity.Duration.TotalMilliseconds, 3),
            attributes);
    }
}
