using System.Diagnostics;
using CloudNative.CloudEvents;

namespace Skylark.Events.Contracts;

/// <summary>
/// W3C trace context on CloudEvents, as the CloudEvents distributed tracing extension carries it (<c>traceparent</c>,
/// <c>tracestate</c>), and the span attributes every Skylark service sets. Each service starts its spans on an
/// <see cref="ActivitySource"/> named <see cref="SourcePrefix"/> + its name; without a listener
/// <see cref="StartActivity"/> returns null and costs no allocation.
/// </summary>
public static class CloudEventTracing
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>Every Skylark <see cref="ActivitySource"/> is named <c>Skylark.Events.&lt;Service&gt;</c>.</summary>
    public const string SourcePrefix = "Skylark.Events.";

    public const string WorkflowIdTag = "skylark.workflow_id";
    public const string NodeTag = "skylark.node";
    public const string FunctionTag = "skylark.function";
    public const string ReadTag = "skylark.read";
    public const string BundleTag = "skylark.bundle";
    public const string BytesTag = "skylark.bytes";
    public const string SourceNodeTag = "skylark.source_node";
    public const string TargetNodeTag = "skylark.target_node";
    public const string LinkWaitTag = "skylark.link.wait_ms";
    public const string FirstByteTag = "skylark.pull.first_byte_ms";
    public const string QueuedTag = "skylark.queued_ms";

    public const string MessagingSystemTag = "messaging.system";
    public const string MessagingOperationTag = "messaging.operation.type";
    public const string MessagingDestinationTag = "messaging.destination.name";
    public const string EventIdTag = "cloudevents.event_id";
    public const string EventTypeTag = "cloudevents.event_type";
    public const string HttpStatusTag = "http.response.status_code";

    /// <summary>The source of a service: <c>Skylark.Events.&lt;service&gt;</c>.</summary>
    public static ActivitySource CreateSource(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        return new ActivitySource(SourcePrefix + service);
    }

    /// <summary>The trace context <paramref name="cloudEvent"/> carries, if it carries a valid one.</summary>
    public static bool TryGetContext(CloudEvent cloudEvent, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        context = default;
        return cloudEvent[TraceParent] is string traceParent
            && ActivityContext.TryParse(traceParent, cloudEvent[TraceState] as string, isRemote: true, out context);
    }

    /// <summary>
    /// Writes <paramref name="activity"/>'s context as the event's <c>traceparent</c> (and <c>tracestate</c>).
    /// Without an activity the event is left as it is, so a context it carries passes through untraced services;
    /// an event made in answer to <paramref name="cause"/> (a reply, a command) is given the cause's context then, so
    /// it stays in the trace it answers, and in its decision not to record.
    /// </summary>
    public static void SetContext(CloudEvent cloudEvent, Activity? activity, CloudEvent? cause = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            cloudEvent[TraceParent] = activity.Id;
            cloudEvent[TraceState] = activity.TraceStateString;
        }
        else if (activity is null && cause?[TraceParent] is string traceParent)
        {
            cloudEvent[TraceParent] = traceParent;
            cloudEvent[TraceState] = cause[TraceState];
        }
    }

    /// <summary>
    /// Starts a span continuing the context <paramref name="cloudEvent"/> carries, or a new trace when it carries
    /// none (<paramref name="newTraceWithoutContext"/>; otherwise the ambient span is the parent). Sets
    /// <see cref="WorkflowIdTag"/>, <see cref="NodeTag"/> and the event's id and type when the span is recorded. Null when
    /// nobody listens.
    /// </summary>
    public static Activity? StartActivity(
        ActivitySource source,
        string name,
        ActivityKind kind,
        CloudEvent? cloudEvent,
        string? node,
        bool newTraceWithoutContext = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.HasListeners())
        {
            return null;
        }

        var parent = default(ActivityContext);
        var hasParent = cloudEvent is not null && TryGetContext(cloudEvent, out parent);
        Activity? activity;
        if (!hasParent && newTraceWithoutContext)
        {
            // StartActivity takes Activity.Current as the parent when given none; a new trace must not. Like any started
            // span the new one becomes the ambient one; stopping it leaves none (it has no parent), which callers
            // running in an async method of their own never see.
            var ambient = Activity.Current;
            Activity.Current = null;
            activity = source.StartActivity(name, kind, parentContext: default);
            if (activity is null)
            {
                Activity.Current = ambient;
            }
        }
        else
        {
            activity = source.StartActivity(name, kind, parent);
        }

        // A span its listener does not record (sampled out) only carries the context on: tags would be thrown away.
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        if (cloudEvent is not null)
        {
            activity.SetTag(EventIdTag, cloudEvent.Id);
            activity.SetTag(EventTypeTag, cloudEvent.Type);
            if (cloudEvent[ExtensionNames.WorkflowId] is string workflowId)
            {
                activity.SetTag(WorkflowIdTag, workflowId);
            }
        }

        if (node is not null)
        {
            activity.SetTag(NodeTag, node);
        }

        return activity;
    }

    /// <summary>
    /// A child span of <paramref name="parent"/> recorded after the fact, for work measured by its caller (a state
    /// read between <paramref name="start"/> and <paramref name="start"/> + <paramref name="duration"/>).
    /// </summary>
    public static void RecordChild(
        ActivitySource source,
        Activity? parent,
        string name,
        DateTimeOffset start,
        TimeSpan duration,
        IEnumerable<KeyValuePair<string, object?>> tags)
    {
        ArgumentNullException.ThrowIfNull(source);
        // Nobody needs the context of a span recorded after the fact, so one whose parent is not recorded is not made.
        if (parent is not { Recorded: true } || !source.HasListeners())
        {
            return;
        }

        using var activity = source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: start);
        if (activity is null)
        {
            return;
        }

        foreach (var (key, value) in parent.TagObjects)
        {
            if (key is WorkflowIdTag or NodeTag)
            {
                activity.SetTag(key, value);
            }
        }

        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }

        activity.SetEndTime((start + duration).UtcDateTime);
    }
}
