using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Ingress;

namespace Skylark.Events.Broker.Delivery;

/// <summary>
/// Delivers one queued event for one Trigger the way Knative's dispatcher does: attempts with retries and backoff;
/// on success a reply event re-enters the broker (with the TTL of the event it answers); when the subscriber or the
/// reply's re-entry finally fails, the original event goes to the dead letter sink with the error extensions.
/// </summary>
internal sealed partial class EventDelivery(
    EventSender sender,
    BrokerIngress ingress,
    IngressSenderCheck senders,
    DeliveryTokens tokens,
    IngressAddress ingressAddress,
    BrokerMetrics metrics,
    IOptions<BrokerOptions> options,
    TimeProvider timeProvider,
    ILogger<EventDelivery> logger)
{
    private readonly string? node = options.Value.Node;

    public async Task DeliverAsync(BrokerRoute broker, TriggerRoute trigger, DeliveryItem item, CancellationToken cancellationToken)
    {
        var cloudEvent = item.Event;
        var (@namespace, brokerName, triggerName) = (broker.Resource.Meta.Namespace, broker.Resource.Meta.Name, trigger.Resource.Meta.Name);
        TimeSpan? queued = item.QueuedAt != 0 ? timeProvider.GetElapsedTime(item.QueuedAt) : null;
        if (queued is { } processed)
        {
            metrics.Processed(@namespace, brokerName, triggerName, processed);
        }

        using var process = BrokerTracing.StartProcess(triggerName, cloudEvent, node, queued);
        var (sent, attempts) = await WithRetriesAsync(
            trigger,
            cloudEvent.Id,
            trigger.Subscriber,
            async token =>
            {
                var started = timeProvider.GetTimestamp();
                using var send = BrokerTracing.StartSend(process, triggerName, cloudEvent);
                var attempt = await SendAsTriggerAsync(trigger, trigger.Subscriber, trigger.SubscriberAudience, cloudEvent, BrokerTracing.ContextOf(send), expectReply: true, token);
                BrokerTracing.Ended(send, attempt.StatusCode, attempt.Error);
                metrics.Dispatched(@namespace, brokerName, triggerName, attempt.StatusCode, timeProvider.GetElapsedTime(started));
                return attempt;
            },
            cancellationToken);
        BrokerTracing.Ended(process, sent.StatusCode, sent.Error);

        if (!sent.Succeeded)
        {
            await DeadLetterAsync(trigger, cloudEvent, trigger.Subscriber, sent, attempts, cancellationToken);
            return;
        }

        metrics.OnDelivered();
        LogDelivered(cloudEvent.Id, trigger.Name, trigger.Subscriber, sent.StatusCode, attempts);
        if (sent.Reply is not { } reply)
        {
            return;
        }

        // Knative re-attaches the TTL of the event being answered; whatever the reply said is overwritten.
        BrokerTtl.Take(reply);
        if (!CloudEventTracing.TryGetContext(reply, out _))
        {
            // A subscriber that does not trace still answers within this delivery's trace (or, when the trace is not
            // recorded and so has no process span, within the event's).
            CloudEventTracing.SetContext(reply, process, cause: cloudEvent);
        }

        var brokerUrl = ingressAddress.For(broker.Resource.Meta.Namespace, broker.Resource.Meta.Name);
        var (reentered, reentryAttempts) = await WithRetriesAsync(
            trigger,
            reply.Id,
            brokerUrl,
            _ => ReingestAsync(broker, trigger, reply, item.Ttl),
            cancellationToken);

        if (reentered.Succeeded)
        {
            metrics.OnReply();
            LogReplied(reply.Id, cloudEvent.Id, trigger.Name, broker.Name);
            return;
        }

        await DeadLetterAsync(trigger, cloudEvent, brokerUrl, reentered, reentryAttempts, cancellationToken);
    }

    private async Task<DeliveryAttempt> ReingestAsync(BrokerRoute broker, TriggerRoute trigger, CloudEvent reply, int ttl)
    {
        // A 403 is final (RetryPolicy, as Knative's SelectiveRetry): the original event goes to the dead letter sink.
        if (senders.ReplyRefusal(broker, trigger, reply) is { } refusal)
        {
            metrics.OnRejected();
            return DeliveryAttempt.FailedResponse(StatusCodes.Status403Forbidden, System.Text.Encoding.UTF8.GetBytes(refusal), retryAfter: null, refusal);
        }

        var result = await ingress.IngestAsync(broker, reply, ttl, fromProducer: false);
        return result.Status == IngressStatus.Accepted
            ? DeliveryAttempt.Success(result.HttpStatus)
            : DeliveryAttempt.FailedResponse(result.HttpStatus, System.Text.Encoding.UTF8.GetBytes(result.Message), retryAfter: null, result.Message);
    }

    private async Task DeadLetterAsync(TriggerRoute trigger, CloudEvent cloudEvent, Uri failedDestination, DeliveryAttempt failed, int attempts, CancellationToken cancellationToken)
    {
        if (trigger.DeadLetterSink is not { } sink)
        {
            metrics.OnDropped();
            LogDroppedNoSink(cloudEvent.Id, trigger.Name, failedDestination, attempts, failed.StatusCode, failed.Error);
            return;
        }

        var extensions = DeadLetterAttributes.For(failedDestination, failed);
        var (dead, _) = await WithRetriesAsync(
            trigger,
            cloudEvent.Id,
            sink,
            token => SendAsTriggerAsync(trigger, sink, trigger.DeadLetterAudience, cloudEvent, extensions, expectReply: false, token),
            cancellationToken);

        if (dead.Succeeded)
        {
            metrics.OnDeadLettered();
            LogDeadLettered(cloudEvent.Id, trigger.Name, failedDestination, attempts, failed.StatusCode, failed.Error, sink);
        }
        else
        {
            metrics.OnDropped();
            LogDeadLetterFailed(cloudEvent.Id, trigger.Name, failedDestination, failed.StatusCode, failed.Error, sink, dead.StatusCode, dead.Error);
        }
    }

    /// <summary>
    /// One attempt as the Trigger's identity: with a bearer token for <paramref name="audience"/> when the destination
    /// names one and the broker can get tokens. A token that cannot be had fails the attempt as an unreachable
    /// destination would, so it is retried.
    /// </summary>
    private async Task<DeliveryAttempt> SendAsTriggerAsync(
        TriggerRoute trigger,
        Uri destination,
        string? audience,
        CloudEvent cloudEvent,
        IReadOnlyList<KeyValuePair<string, string>> extensions,
        bool expectReply,
        CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(trigger.Identity, audience, cancellationToken);
        if (token.Error is { } error)
        {
            return DeliveryAttempt.NoResponse(error);
        }

        return await sender.SendAsync(destination, cloudEvent, extensions, expectReply, trigger.Retry.Timeout, token.Token, cancellationToken);
    }

    /// <summary>Knative's retry loop: attempt, and while the failure is retryable and retries remain, wait and again.</summary>
    private async Task<(DeliveryAttempt Last, int Attempts)> WithRetriesAsync(
        TriggerRoute trigger,
        string? eventId,
        Uri destination,
        Func<CancellationToken, Task<DeliveryAttempt>> attempt,
        CancellationToken cancellationToken)
    {
        var policy = trigger.Retry;
        for (var retryIndex = 0; ; retryIndex++)
        {
            var result = await attempt(cancellationToken);
            if (result.Succeeded || retryIndex >= policy.Retry || !RetryPolicy.IsRetryable(result))
            {
                return (result, retryIndex + 1);
            }

            var delay = policy.DelayBeforeRetry(retryIndex, result, timeProvider.GetUtcNow());
            metrics.OnRetried();
            LogRetrying(eventId, trigger.Name, destination, result.StatusCode, result.Error, retryIndex + 1, policy.Retry, delay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 101, EventName = "Delivered", Level = LogLevel.Debug, Message = "Delivered event {EventId} for trigger {Trigger} to {Destination}: {StatusCode} after {Attempts} attempt(s)")]
    private partial void LogDelivered(string? eventId, string trigger, Uri destination, int statusCode, int attempts);

    [LoggerMessage(EventId = 102, EventName = "ReplyReingested", Level = LogLevel.Debug, Message = "Reply {ReplyId} to event {EventId} from trigger {Trigger} re-entered broker {Broker}")]
    private partial void LogReplied(string? replyId, string? eventId, string trigger, string broker);

    [LoggerMessage(EventId = 103, EventName = "Retrying", Level = LogLevel.Information, Message = "Event {EventId} for trigger {Trigger} to {Destination} failed ({StatusCode}: {Error}); retry {Retry} of {Retries} in {Delay}")]
    private partial void LogRetrying(string? eventId, string trigger, Uri destination, int statusCode, string? error, int retry, int retries, TimeSpan delay);

    [LoggerMessage(EventId = 104, EventName = "DeadLettered", Level = LogLevel.Warning, Message = "Event {EventId} for trigger {Trigger} to {Destination} failed after {Attempts} attempt(s) ({StatusCode}: {Error}); sent to dead letter sink {DeadLetterSink}")]
    private partial void LogDeadLettered(string? eventId, string trigger, Uri destination, int attempts, int statusCode, string? error, Uri deadLetterSink);

    [LoggerMessage(EventId = 105, EventName = "Dropped", Level = LogLevel.Error, Message = "Event {EventId} for trigger {Trigger} to {Destination} failed after {Attempts} attempt(s) ({StatusCode}: {Error}) and was dropped: no dead letter sink")]
    private partial void LogDroppedNoSink(string? eventId, string trigger, Uri destination, int attempts, int statusCode, string? error);

    [LoggerMessage(EventId = 106, EventName = "DeadLetterFailed", Level = LogLevel.Error, Message = "Event {EventId} for trigger {Trigger} to {Destination} failed ({StatusCode}: {Error}) and dead letter sink {DeadLetterSink} failed too ({DeadLetterStatusCode}: {DeadLetterError}); dropped")]
    private partial void LogDeadLetterFailed(string? eventId, string trigger, Uri destination, int statusCode, string? error, Uri deadLetterSink, int deadLetterStatusCode, string? deadLetterError);
}
