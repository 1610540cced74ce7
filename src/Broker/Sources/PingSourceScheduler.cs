using Cronos;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Sources;

/// <summary>
/// Runs one PingSource: waits (on the injected <see cref="TimeProvider"/>) for each occurrence of its schedule in its
/// time zone and sends a fresh ping event to its sink.
/// </summary>
/// <remarks>
/// <para>At most one send is in flight: a tick that comes due while the previous event is still being sent (retries
/// included) is skipped and counted, never queued, so a slow sink cannot pile up work.</para>
/// <para>Ticks are never replayed: the next occurrence is always computed from the time the scheduler woke, so a
/// process that was down, paused or saw its clock jump sends one event for the tick it was waiting for and carries on
/// from the present.</para>
/// <para>Daylight saving time is Cronos': a tick in a skipped local hour fires at the first valid instant after it, and
/// a non-interval tick in a repeated local hour fires once (in the first pass).</para>
/// </remarks>
public sealed class PingSourceScheduler
{
    // Waits longer than Task.Delay supports (~49 days, e.g. @yearly) are split; re-reading the clock once a day also
    // keeps a long wait honest if the wall clock is corrected meanwhile.
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    // Counting missed ticks is for the log; a paused per-second source must not make us enumerate years of them.
    private const int MissedCountLimit = 100_000;

    private readonly Func<Destination, Uri> resolveSink;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly PingSourceSender sender;
    private readonly Lock gate = new();
    private PingSourceStatus status = PingSourceStatus.Initial;
    private int started;

    /// <exception cref="FormatException">The schedule, time zone or dataBase64 is invalid.</exception>
    public PingSourceScheduler(
        PingSourceResource source,
        Func<Destination, Uri> resolveSink,
        HttpClient http,
        TimeProvider time,
        ILogger logger,
        PingSourceOptions? options = null,
        Delivery.DeliveryTokens? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(resolveSink);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);

        Source = source;
        Name = $"{source.Meta.Namespace}/{source.Meta.Name}";
        Schedule = PingSchedule.Parse(source.Schedule);
        // Without spec.timezone Knative uses the system time zone (its adapter's, normally UTC in a pod).
        TimeZone = source.Timezone is null ? time.LocalTimeZone : PingSchedule.ParseTimeZone(source.Timezone);
        Event = new PingSourceEvent(source);
        this.resolveSink = resolveSink;
        this.time = time;
        this.logger = logger;
        sender = new PingSourceSender(http, time, (options ?? PingSourceOptions.Default).Validated(), logger, tokens);
        Identity = Eventing.Policies.OidcIdentity.SubjectFor("sources.knative.dev", "PingSource", source.Meta.Namespace, source.Meta.Name);

        if (Event.DroppedExtensions.Count > 0)
        {
            PingSourceLog.DroppedExtensions(logger, Name, string.Join(", ", Event.DroppedExtensions));
        }
    }

    public PingSourceResource Source { get; }

    /// <summary>The OIDC subject Knative gives this source, which its pings are sent as.</summary>
    public string Identity { get; }

    /// <summary><c>namespace/name</c>.</summary>
    public string Name { get; }

    public CronExpression Schedule { get; }

    public TimeZoneInfo TimeZone { get; }

    public PingSourceEvent Event { get; }

    public PingSourceStatus Status
    {
        get
        {
            lock (gate)
            {
                return status;
            }
        }
    }

    /// <summary>Raised after every change of <see cref="Status"/>, on the thread that made it.</summary>
    public event EventHandler<PingSourceStatus>? StatusChanged;

    /// <summary>The first tick strictly after <paramref name="instant"/>, in UTC; null if the schedule has none.</summary>
    public DateTimeOffset? NextOccurrenceAfter(DateTimeOffset instant) =>
        Schedule.GetNextOccurrence(instant, TimeZone)?.ToUniversalTime();

    /// <summary>Ticks until <paramref name="cancellationToken"/> is cancelled, then cancels an in-flight send and returns.</summary>
    /// <exception cref="InvalidOperationException">The scheduler is already running or has run.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref started, 1) == 1)
        {
            throw new InvalidOperationException($"PingSource {Name} is already running.");
        }

        PingSourceLog.Started(logger, Name, Source.Schedule, TimeZone.Id);
        var inFlight = Task.CompletedTask;
        try
        {
            var now = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                // From the time we woke (never before the tick just handled), not from the previous due time: ticks
                // that passed meanwhile are not replayed.
                if (NextOccurrenceAfter(now) is not { } due)
                {
                    PingSourceLog.NoFurtherOccurrence(logger, Name, Source.Schedule);
                    break;
                }

                now = await WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
                CountMissed(due, now);
                if (!inFlight.IsCompleted)
                {
                    var skipped = Update(s => s with { Skipped = s.Skipped + 1 }).Skipped;
                    PingSourceLog.Skipped(logger, Name, due, skipped);
                    continue;
                }

                inFlight = SendAsync(now, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            // SendAsync handles its own failures; wait for it so nothing outlives the scheduler.
            await inFlight.ConfigureAwait(false);
            var final = Update(s => s with { NextDue = null });
            PingSourceLog.Stopped(logger, Name, final.Sent, final.Failed, final.Skipped, final.Missed);
        }
    }

    /// <returns>The time read on waking, at or after <paramref name="due"/>.</returns>
    private async Task<DateTimeOffset> WaitUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        var announced = false;
        while (true)
        {
            var now = time.GetUtcNow();
            if (now >= due)
            {
                return now;
            }

            var remaining = due - now;
            // The timer is armed before the status says what we wait for, so whoever watches the status (and moves a
            // test clock) cannot get ahead of it.
            var delay = Task.Delay(remaining < MaxWait ? remaining : MaxWait, time, cancellationToken);
            if (!announced)
            {
                Update(s => s with { NextDue = due });
                announced = true;
            }

            await delay.ConfigureAwait(false);
        }
    }

    private void CountMissed(DateTimeOffset due, DateTimeOffset now)
    {
        if (now <= due)
        {
            return;
        }

        var missed = Schedule.GetOccurrences(due, now, TimeZone, fromInclusive: false, toInclusive: true).Take(MissedCountLimit).Count();
        if (missed > 0)
        {
            Update(s => s with { Missed = s.Missed + missed });
            PingSourceLog.Missed(logger, Name, now, now - due, due, missed);
        }
    }

    private async Task SendAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Update(s => s with { InFlight = true });
        var cloudEvent = Event.Create(now);
        var eventId = cloudEvent.Id!;
        var sent = false;
        var lost = true;
        try
        {
            Uri sink;
            try
            {
                sink = resolveSink(Source.Sink);
                if (!sink.IsAbsoluteUri)
                {
                    throw new InvalidOperationException($"the sink resolved to '{sink}', which is not an absolute URI");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PingSourceLog.SinkUnresolved(logger, e, Name, eventId);
                return;
            }

            var delivery = await sender
                .SendAsync(cloudEvent, sink, Name, (Identity, Source.Sink.Audience), retryAt => Update(s => s with { RetryAt = retryAt }), cancellationToken)
                .ConfigureAwait(false);
            sent = delivery.Acknowledged;
            lost = !sent;
            if (sent)
            {
                PingSourceLog.Sent(logger, Name, eventId, sink, delivery.StatusCode, delivery.Attempts);
            }
            else
            {
                PingSourceLog.Failed(logger, Name, eventId, sink, delivery.Attempts, delivery.Error!);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown, not the sink's fault: not counted as a failure.
            lost = false;
            PingSourceLog.SendCancelled(logger, Name, eventId);
        }
        catch (Exception e)
        {
            // A ping source must outlive any one send, whatever went wrong in it.
            PingSourceLog.SendCrashed(logger, e, Name, eventId);
        }
        finally
        {
            Update(s => s with
            {
                InFlight = false,
                RetryAt = null,
                Sent = s.Sent + (sent ? 1 : 0),
                Failed = s.Failed + (lost ? 1 : 0),
            });
        }
    }

    private PingSourceStatus Update(Func<PingSourceStatus, PingSourceStatus> change)
    {
        PingSourceStatus changed;
        lock (gate)
        {
            changed = status = change(status);
        }

        // One by one: a watcher that throws must neither stop the pings nor keep the other watchers uninformed.
        foreach (var handler in StatusChanged?.GetInvocationList() ?? [])
        {
            try
            {
                ((EventHandler<PingSourceStatus>)handler)(this, changed);
            }
            catch (Exception e)
            {
                PingSourceLog.StatusHandlerFailed(logger, e, Name);
            }
        }

        return changed;
    }
}
