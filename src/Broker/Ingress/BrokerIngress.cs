using CloudNative.CloudEvents;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Filters;

namespace Skylark.Events.Broker.Ingress;

/// <summary>
/// Takes an event into a broker — from a producer over HTTP or from a subscriber's reply — applying Knative's TTL
/// and arrival time, and queues it once for every Trigger whose filter does not reject it: for all of them or,
/// when one queue is full, for none.
/// </summary>
internal sealed partial class BrokerIngress(InFlightDeliveries inFlight, BrokerMetrics metrics, TimeProvider timeProvider, ILogger<BrokerIngress> logger)
{
    private volatile bool stopping;

    /// <summary>Producers are refused from now on; replies of deliveries still draining are not.</summary>
    public void StopAccepting() => stopping = true;

    /// <summary>
    /// Takes <paramref name="cloudEvent"/> into <paramref name="broker"/>. <paramref name="carriedTtl"/> is the TTL it
    /// carried in (already removed from it), null if none; <paramref name="fromProducer"/> is false for a reply, which is
    /// accepted while shutdown drains.
    /// </summary>
    public IngressResult Ingest(BrokerRoute broker, CloudEvent cloudEvent, int? carriedTtl, bool fromProducer)
    {
        if (fromProducer && stopping)
        {
            return Refuse(new IngressResult(IngressStatus.Stopping, 0, "The broker is shutting down."));
        }

        var ttl = BrokerTtl.OnArrival(carriedTtl);
        if (ttl <= 0)
        {
            LogTtlExhausted(cloudEvent.Id, broker.Name);
            return Refuse(new IngressResult(IngressStatus.TtlExhausted, 0,
                $"Event '{cloudEvent.Id}' has no {BrokerTtl.ExtensionName} left: it has passed through brokers too many times (an event loop?)."));
        }

        ArrivalTime.Stamp(cloudEvent, timeProvider.GetUtcNow());

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
                for (var j = 0; j < i; j++)
                {
                    matching[j].Queue.CancelReservation();
                }

                LogQueueFull(cloudEvent.Id, broker.Name, matching[i].Name, matching[i].Queue.Capacity);
                return Refuse(new IngressResult(IngressStatus.QueueFull, 0,
                    $"Trigger {matching[i].Name} already has {matching[i].Queue.Capacity} event(s) waiting; retry later."));
            }
        }

        var item = new DeliveryItem(cloudEvent, ttl);
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
                LogLostAtShutdown(cloudEvent.Id, trigger.Name);
            }
        }

        metrics.OnAccepted();
        LogAccepted(cloudEvent.Id, broker.Name, matching.Count, ttl);
        return new IngressResult(IngressStatus.Accepted, matching.Count, string.Empty);
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
}
