using System.Text.Json;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// Opens the journal at startup and queues again every delivery it owes, oldest first, waiting for room in each
/// Trigger's queue rather than overfilling it; producers are refused (503) until the last one is queued. On shutdown
/// it closes the journal after the dispatcher has drained, so the acks of the last deliveries are written.
/// Registered before the dispatcher: hosted services stop in reverse order.
/// </summary>
internal sealed partial class JournalRecoveryService(
    EventJournal journal,
    BrokerTopology topology,
    InFlightDeliveries inFlight,
    IHostApplicationLifetime lifetime,
    ILogger<JournalRecoveryService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private Task feeding = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!journal.Enabled)
        {
            return Task.CompletedTask;
        }

        JournalScan scan;
        try
        {
            scan = journal.Open();
        }
        catch (JournalDamagedException damaged)
        {
            // Not a crash of the broker: a journal that needs a person's decision (verify, then repair).
            throw new ServiceCannotStartException(damaged.Message, damaged);
        }

        if (scan.Pending.Count == 0)
        {
            journal.CompleteRecovery();
            return Task.CompletedTask;
        }

        // Stop queueing old work as soon as shutdown begins; what is left stays owed in the journal.
        lifetime.ApplicationStopping.Register(stopping.Cancel);
        feeding = Task.Run(() => FeedAsync(scan.Pending, stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await feeding;
        await journal.DisposeAsync();
    }

    public void Dispose() => stopping.Dispose();

    private async Task FeedAsync(List<PendingEvent> pending, CancellationToken cancellationToken)
    {
        var triggers = topology.Triggers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        long queued = 0;
        long dropped = 0;
        try
        {
            foreach (var owed in pending)
            {
                DeliveryItem item;
                try
                {
                    var recorded = EventJournal.Read(owed);
                    item = new DeliveryItem(recorded.ToCloudEvent(), recorded.Ttl, owed.Sequence);
                }
                catch (Exception e) when (e is IOException or FormatException or JsonException or ArgumentException or InvalidOperationException)
                {
                    // Checked at scan time, so only a segment deleted meanwhile (hard limit) gets here.
                    LogUnreadable(e, owed.Sequence, owed.SegmentPath);
                    dropped += owed.Triggers.Count;
                    continue;
                }

                foreach (var name in owed.Triggers)
                {
                    if (!triggers.TryGetValue(name, out var trigger))
                    {
                        LogTriggerGone(item.Event.Id, owed.Sequence, name);
                        journal.Acknowledge(name, owed.Sequence);
                        dropped++;
                        continue;
                    }

                    await trigger.Queue.ReserveAsync(cancellationToken);
                    inFlight.Add();
                    try
                    {
                        trigger.Queue.Write(item);
                        queued++;
                    }
                    catch (InvalidOperationException)
                    {
                        inFlight.Done();
                        return;
                    }
                }
            }

            LogRecovered(queued, dropped);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStoppedEarly(queued);
        }
        finally
        {
            journal.CompleteRecovery();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal recovery queued {Queued} owed delivery(ies) again ({Dropped} could not be)")]
    private partial void LogRecovered(long queued, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal recovery stopped by shutdown after queueing {Queued} delivery(ies); the rest stay owed in the journal")]
    private partial void LogStoppedEarly(long queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} (journal sequence {Sequence}) was owed to trigger {Trigger}, which no longer exists; dropped")]
    private partial void LogTriggerGone(string? eventId, long sequence, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal event {Sequence} in {Segment} could not be read back; its deliveries are lost")]
    private partial void LogUnreadable(Exception exception, long sequence, string segment);
}
