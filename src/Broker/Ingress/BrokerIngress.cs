using System.Diagnostics;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Eventing.Filters;

namespace Skylark.Events.Broker.Ingress;

/// <summary>
/// Takes an event into a broker — from a producer over HTTP or from a subscriber's reply — applying Knative's TTL
/// and arrival time, and queues it once for every Trigger whose filter does not reject it: for all of them or,
/// when one queue is full, for none. With the journal on, the event is queued only once its record is durable.
/// </summary>
internal sealed partial class BrokerIngress(
    InFlightDeliveries inFlight,
    EventJournal journal,
    BrokerMetrics metrics,
    IOptions<BrokerOptions> options,
    TimeProvider timeProvider,
    ILogger<BrokerIngress> logger)
{
    private readonly string? node = options.Value.Node;

    private volatile bool stopping;

    /// <summary>Producers are refused from now on; replies of deliveries still draining are not.</summary>
    public void StopAccepting() => stopping = true;

    /// <summary>
    /// Takes <paramref name="cloudEvent"/> into <paramref name="broker"/>. <paramref name="carriedTtl"/> is the TTL it
    /// carried in (already removed from it), null if none; <paramref name="fromProducer"/> is false for a reply, which is
    /// accepted while shutdown drains. Completes synchronously unless the journal is on.
    /// </summary>
    public ValueTask<IngressResult> IngestAsync(BrokerRoute broker, CloudEvent cloudEvent, int? carriedTtl, bool fromProducer)
    {
        var ambient = Activity.Current;
        var activity = BrokerTracing.StartReceive(broker.Resource.Meta.Name, cloudEvent, fromProducer, node);
        if (activity is null)
        {
            return IngestCoreAsync(broker, cloudEvent, carriedTtl, fromProducer, null);
        }

        // The span travels in the event's traceparent, not as the ambient span: this method is not async, so an ambient
        // span would stay the caller's after it stopped while the journal is awaited.
        Activity.Current = ambient;
        var ingest = IngestCoreAsync(broker, cloudEvent, carriedTtl, fromProducer, activity);
        if (!ingest.IsCompletedSuccessfully)
        {
            return TracedAsync(activity, ingest);
        }

        var result = ingest.Result;
        Traced(activity, result);
        activity.Dispose();
        Activity.Current = ambient;
        return ValueTask.FromResult(result);
    }

    private static async ValueTask<IngressResult> TracedAsync(Activity activity, ValueTask<IngressResult> ingest)
    {
        try
        {
            return Traced(activity, await ingest.ConfigureAwait(false));
        }
        finally
        {
            activity.Dispose();
        }
    }

    private static IngressResult Traced(Activity activity, IngressResult result)
    {
        BrokerTracing.Ended(activity, result.HttpStatus, result.Status == IngressStatus.Accepted ? null : result.Message);
        return result;
    }

    private ValueTask<IngressResult> IngestCoreAsync(BrokerRoute broker, CloudEvent cloudEvent, int? carriedTtl, bool fromProducer, Activity? activity)
    {
        if (fromProducer && stopping)
        {
            return ValueTask.FromResult(Refuse(new IngressResult(IngressStatus.Stopping, 0, "The broker is shutting down.")));
        }

        if (fromProducer && journal.Recovering)
        {
            return ValueTask.FromResult(Refuse(new IngressResult(IngressStatus.Recovering, 0,
                "The broker is queueing the deliveries its journal still owes; retry shortly.")));
        }

        var ttl = BrokerTtl.OnArrival(carriedTtl);
        if (ttl <= 0)
        {
            LogTtlExhausted(cloudEvent.Id, broker.Name);
            return ValueTask.FromResult(Refuse(new IngressResult(IngressStatus.TtlExhausted, 0,
                $"Event '{cloudEvent.Id}' has no {BrokerTtl.ExtensionName} left: it has passed through brokers too many times (an event loop?).")));
        }

        ArrivalTime.Stamp(cloudEvent, timeProvider.GetUtcNow());

        // Before the journal and the queues, so deliveries (recovered ones too) are children of this ingest.
        CloudEventTracing.SetContext(cloudEvent, activity);

        var matching = new List<TriggerRoute>(broker.Triggers.Count);
        foreach (var trigger in broker.Triggers)
        {
            if (Matches(trigger, cloudEvent))
            {
                matching.Add(trigger);
            }
        }

        for (var i = 0; i < matching.Count; i++)
        {
            if (!matching[i].Queue.TryReserve())
            {
                CancelReservations(matching, i);
                LogQueueFull(cloudEvent.Id, broker.Name, matching[i].Name, matching[i].Queue.Capacity);
                return ValueTask.FromResult(Refuse(new IngressResult(IngressStatus.QueueFull, 0,
                    $"Trigger {matching[i].Name} already has {matching[i].Queue.Capacity} event(s) queued; retry later.")));
            }
        }

        return journal.Enabled
            ? JournalThenQueueAsync(broker, cloudEvent, ttl, matching)
            : ValueTask.FromResult(Queue(broker, new DeliveryItem(cloudEvent, ttl, QueuedAt: timeProvider.GetTimestamp()), matching));
    }

    private async ValueTask<IngressResult> JournalThenQueueAsync(BrokerRoute broker, CloudEvent cloudEvent, int ttl, List<TriggerRoute> matching)
    {
        long sequence;
        try
        {
            sequence = await journal.AppendAsync(broker.Name, cloudEvent, ttl, matching.ConvertAll(t => t.Name));
        }
        catch (JournalUnavailableException e)
        {
            CancelReservations(matching, matching.Count);
            LogJournalFailed(cloudEvent.Id, broker.Name, e.Message);
            return Refuse(new IngressResult(IngressStatus.JournalUnavailable, 0, $"The event could not be made durable: {e.Message}"));
        }

        return Queue(broker, new DeliveryItem(cloudEvent, ttl, sequence, timeProvider.GetTimestamp()), matching);
    }

    private IngressResult Queue(BrokerRoute broker, DeliveryItem item, List<TriggerRoute> matching)
    {
        foreach (var trigger in matching)
        {
            inFlight.Add();
            try
            {
                trigger.Queue.Write(item);
            }
            catch (InvalidOperationException)
            {
                // Only after shutdown closed the queues, which happens once nothing is in flight.
                inFlight.Done();
                LogLostAtShutdown(item.Event.Id, trigger.Name);
            }
        }

        metrics.OnAccepted();
        LogAccepted(item.Event.Id, broker.Name, matching.Count, item.Ttl);
        return new IngressResult(IngressStatus.Accepted, matching.Count, string.Empty);
    }

    private static void CancelReservations(List<TriggerRoute> matching, int count)
    {
        for (var j = 0; j < count; j++)
        {
            matching[j].Queue.CancelReservation();
        }
    }

    private bool Matches(TriggerRoute trigger, CloudEvent cloudEvent)
    {
        try
        {
            return trigger.Filter.Filter(cloudEvent) != FilterResult.Fail;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Knative treats a filter that cannot evaluate as not passing.
            LogFilterFailed(e, cloudEvent.Id, trigger.Name);
            return false;
        }
    }

    private IngressResult Refuse(IngressResult result)
    {
        metrics.OnRejected();
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted event {EventId} into broker {Broker} for {Triggers} trigger(s), ttl {Ttl}")]
    private partial void LogAccepted(string? eventId, string broker, int triggers, int ttl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped event {EventId} at broker {Broker}: TTL exhausted")]
    private partial void LogTtlExhausted(string? eventId, string broker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused event {EventId} at broker {Broker}: trigger {Trigger} queue is full ({Capacity})")]
    private partial void LogQueueFull(string? eventId, string broker, string trigger, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Filter of trigger {Trigger} failed on event {EventId}; treated as not matching")]
    private partial void LogFilterFailed(Exception exception, string? eventId, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} for trigger {Trigger} arrived after shutdown closed its queue and was lost")]
    private partial void LogLostAtShutdown(string? eventId, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused event {EventId} at broker {Broker}: the journal could not make it durable ({Reason})")]
    private partial void LogJournalFailed(string? eventId, string broker, string reason);
}
