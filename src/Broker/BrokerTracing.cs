using System.Diagnostics;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;

namespace Skylark.Events.Broker;

/// <summary>
/// The broker's spans, named and tagged after OpenTelemetry's messaging conventions with Knative as the system: one
/// <c>receive</c> per ingest (continuing the event's <c>traceparent</c>), one <c>process</c> per event and Trigger
/// (dequeue to the end of its retries and its reply's re-entry), one <c>send</c> per delivery attempt, whose context
/// the delivered event carries. <c>process</c> and <c>send</c> never become the ambient span (<see cref="Activity.Current"/>):
/// their context travels in the request's headers, and an ambient span makes <c>HttpClient</c> start a span of its own
/// for every request under it.
/// </summary>
internal static class BrokerTracing
{
    public const string SourceName = CloudEventTracing.SourcePrefix + "Broker";

    public static readonly ActivitySource Source = new(SourceName);

    // The operations, each span's operation name (OpenTelemetry's messaging.operation.type).
    private const string Receive = "receive";
    private const string Process = "process";
    private const string Send = "send";

    public static Activity? StartReceive(string broker, CloudEvent cloudEvent, bool fromProducer, string? node)
    {
        // Checked before the span's name is built: untraced events allocate nothing here.
        if (!Source.HasListeners())
        {
            return null;
        }

        // A reply is given the context of the delivery it answers before it re-enters (EventDelivery); one that has
        // none continues the ambient span rather than starting a trace.
        var activity = CloudEventTracing.StartActivity(Source, Receive, ActivityKind.Consumer, cloudEvent, node, newTraceWithoutContext: fromProducer);
        return Messaging(activity, Receive, broker);
    }

    public static Activity? StartProcess(string trigger, CloudEvent cloudEvent, string? node, TimeSpan? queued)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var ambient = Activity.Current;
        var activity = Messaging(CloudEventTracing.StartActivity(Source, Process, ActivityKind.Consumer, cloudEvent, node), Process, trigger);
        Activity.Current = ambient;
        if (activity is { IsAllDataRequested: true } && queued is { } wait)
        {
            activity.SetTag(CloudEventTracing.QueuedTag, Math.Round(wait.TotalMilliseconds, 3));
        }

        return activity;
    }

    public static Activity? StartSend(Activity? process, string trigger, CloudEvent cloudEvent)
    {
        if (process is null)
        {
            return null;
        }

        var ambient = Activity.Current;
        var activity = Source.StartActivity(Send, ActivityKind.Producer, process.Context);
        Activity.Current = ambient;
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag(CloudEventTracing.EventIdTag, cloudEvent.Id);
        activity.SetTag(CloudEventTracing.EventTypeTag, cloudEvent.Type);
        activity.SetTag(CloudEventTracing.WorkflowIdTag, process.GetTagItem(CloudEventTracing.WorkflowIdTag));
        activity.SetTag(CloudEventTracing.NodeTag, process.GetTagItem(CloudEventTracing.NodeTag));
        return Messaging(activity, Send, trigger);
    }

    /// <summary>The context a delivery sends: the attempt's span, as the event's <c>traceparent</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ContextOf(Activity? send)
    {
        if (send is null || send.Id is not { } id)
        {
            return [];
        }

        return send.TraceStateString is { } state
            ? [new(CloudEventTracing.TraceParent, id), new(CloudEventTracing.TraceState, state)]
            : [new(CloudEventTracing.TraceParent, id)];
    }

    public static void Ended(Activity? activity, int statusCode, string? error)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (statusCode != 0)
        {
            activity.SetTag(CloudEventTracing.HttpStatusTag, statusCode);
        }

        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    // The span's name is built only for a span that is recorded: "<broker> receive", "<trigger> process", "<trigger> send".
    private static Activity? Messaging(Activity? activity, string operation, string destination)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"{destination} {operation}";
            activity.SetTag(CloudEventTracing.MessagingSystemTag, "knative")
                .SetTag(CloudEventTracing.MessagingOperationTag, operation)
                .SetTag(CloudEventTracing.MessagingDestinationTag, destination);
        }

        return activity;
    }
}
