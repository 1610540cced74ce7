using Microsoft.Extensions.Options;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Broker.Journal;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// Runs each Trigger's workers. On shutdown it refuses new events, lets queued and in-flight deliveries (and the
/// replies they produce) finish within <see cref="BrokerOptions.ShutdownDrainTimeout"/>, then abandons the rest.
/// </summary>
internal sealed partial class BrokerDispatcher(
    BrokerTopology topology,
    BrokerIngress ingress,
    EventDelivery delivery,
    InFlightDeliveries inFlight,
    EventJournal journal,
    IOptions<BrokerOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<BrokerDispatcher> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource abort = new();
    private readonly List<Task> workers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Refuse producers from the moment the host starts stopping, before any service's StopAsync runs.
        lifetime.ApplicationStopping.Register(ingress.StopAccepting);

        var workersPerTrigger = options.Value.WorkersPerTrigger;
        foreach (var broker in topology.All)
        {
            foreach (var trigger in broker.Triggers)
            {
                for (var i = 0; i < workersPerTrigger; i++)
                {
                    workers.Add(Task.Run(() => WorkAsync(broker, trigger, abort.Token), CancellationToken.None));
                }

                LogTriggerReady(trigger.Name, broker.Name, trigger.Subscriber, trigger.DeadLetterSink, workersPerTrigger);
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ingress.StopAccepting();
        var drainTimeout = options.Value.ShutdownDrainTimeout;
        using var deadline = new CancellationTokenSource(drainTimeout, timeProvider);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        try
        {
            while (inFlight.Count > 0)
            {
                await inFlight.WhenIdleAsync().WaitAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(inFlight.Count, drainTimeout);
        }

        foreach (var trigger in topology.Triggers)
        {
            trigger.Queue.Close();
        }

        // Whatever is still running or queued now is abandoned; workers end promptly once cancelled.
        await abort.CancelAsync();
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(BrokerRoute broker, TriggerRoute trigger, CancellationToken cancellationToken)
    {
        var queue = trigger.Queue;
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken))
            {
                while (queue.TryRead(out var item))
                {
                    try
                    {
                        await delivery.DeliverAsync(broker, trigger, item, cancellationToken);
                        journal.Acknowledge(trigger.Name, item.Sequence);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Later items fail the same way at once, so each abandoned event is logged.
                        LogAbandoned(item.Event.Id, trigger.Name);
                    }
                    catch (Exception e)
                    {
                        LogDeliveryCrashed(e, item.Event.Id, trigger.Name);

                        // Final too: delivering it again after a restart would most likely fail the same way.
                        journal.Acknowledge(trigger.Name, item.Sequence);
                    }
                    finally
                    {
                        queue.Finished();
                        inFlight.Done();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        while (queue.TryRead(out var left))
        {
            LogAbandoned(left.Event.Id, trigger.Name);
            queue.Finished();
            inFlight.Done();
        }
    }

    public void Dispose() => abort.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Trigger {Trigger} of broker {Broker} delivers to {Subscriber} (dead letter sink {DeadLetterSink}) with {Workers} worker(s)")]
    private partial void LogTriggerReady(string trigger, string broker, Uri subscriber, Uri? deadLetterSink, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown drain timed out after {Timeout} with {InFlight} delivery(ies) unfinished")]
    private partial void LogDrainTimedOut(int inFlight, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Abandoned event {EventId} for trigger {Trigger} at shutdown")]
    private partial void LogAbandoned(string? eventId, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of event {EventId} for trigger {Trigger} failed unexpectedly")]
    private partial void LogDeliveryCrashed(Exception exception, string? eventId, string trigger);
}
