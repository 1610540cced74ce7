using System.Diagnostics;
using System.Globalization;
using System.Net;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Ingress;

namespace Skylark.Events.Lab.Replay;

/// <summary>
/// Re-sends recorded events to a broker ingress (or any CloudEvents endpoint) in binary mode with their attributes
/// and data, in recorded order, paced by the recorded gaps between them (<c>knativearrivaltime</c>, else <c>time</c>)
/// scaled by <see cref="ReplayOptions.Speed"/>. 429 and 503 are retried with backoff; other answers are final.
/// </summary>
public sealed class EventReplayer(HttpClient client, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;

    public async Task<ReplaySummary> ReplayAsync(
        IEnumerable<CloudEvent> events,
        ReplayOptions options,
        int? total = null,
        IProgress<ReplayProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var tally = new Tally(total, progress);
        var started = clock.GetTimestamp();
        DateTimeOffset? firstRecorded = null;
        using var slots = new SemaphoreSlim(options.Concurrency);
        var sending = new List<Task>();
        var read = 0;
        var filtered = 0;

        foreach (var cloudEvent in events)
        {
            read++;
            if (!options.Filters.All(f => f.Matches(cloudEvent)))
            {
                filtered++;
                tally.Skip();
                continue;
            }

            if (options.Speed.Factor is not null && RecordedAt(cloudEvent) is { } recorded)
            {
                firstRecorded ??= recorded;
                var due = options.Speed.Scale(recorded - firstRecorded.Value) - clock.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, clock, cancellationToken);
                }
            }

            if (options.FreshIds)
            {
                cloudEvent.Id = Guid.NewGuid().ToString();
            }

            await slots.WaitAsync(cancellationToken);
            sending.Add(SendAsync(cloudEvent, options, slots, tally, cancellationToken));
            sending.RemoveAll(t => t.IsCompletedSuccessfully);
        }

        await Task.WhenAll(sending);
        return tally.Summary(read, filtered, clock.GetElapsedTime(started));
    }

    /// <summary>When the event was recorded: its broker arrival time, else its own <c>time</c>.</summary>
    public static DateTimeOffset? RecordedAt(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent[ArrivalTime.ExtensionName] is { } arrival)
        {
            switch (arrival)
            {
                case DateTimeOffset stamped:
                    return stamped;
                case string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed):
                    return parsed;
            }
        }

        return cloudEvent.Time;
    }

    private async Task SendAsync(CloudEvent cloudEvent, ReplayOptions options, SemaphoreSlim slots, Tally tally, CancellationToken cancellationToken)
    {
        try
        {
            var backoff = TimeSpan.FromMilliseconds(10);
            for (var attempt = 1; ; attempt++)
            {
                HttpStatusCode status;
                TimeSpan? retryAfter;
                try
                {
                    using var request = BinaryModeRequest.Create(options.Target, cloudEvent, []);
                    using var response = await client.SendAsync(request, cancellationToken);
                    status = response.StatusCode;
                    retryAfter = response.Headers.RetryAfter?.Delta;
                }
                catch (HttpRequestException)
                {
                    tally.Fail();
                    return;
                }

                if ((int)status is >= 200 and < 300)
                {
                    tally.Accept();
                    return;
                }

                if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || attempt >= options.MaxAttempts)
                {
                    tally.Reject((int)status);
                    return;
                }

                tally.Retry();
                await Task.Delay(retryAfter is { } hint && hint > backoff ? hint : backoff, clock, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Counts answers from concurrent sends.</summary>
    private sealed class Tally(int? total, IProgress<ReplayProgress>? progress)
    {
        private readonly Lock gate = new();
        private readonly Dictionary<int, int> rejected = [];
        private int done;
        private int sent;
        private int accepted;
        private int failed;
        private int retries;

        public void Skip() => Update(() => done++, sentOne: false);

        public void Accept() => Update(() => accepted++);

        public void Reject(int status) => Update(() => rejected[status] = rejected.GetValueOrDefault(status) + 1);

        public void Fail() => Update(() => failed++);

        public void Retry()
        {
            lock (gate)
            {
                retries++;
            }
        }

        public ReplaySummary Summary(int read, int filtered, TimeSpan duration)
        {
            lock (gate)
            {
                Debug.Assert(sent == accepted + failed + rejected.Values.Sum(), "every sent event is counted once");
                return new ReplaySummary(read, filtered, sent, accepted, new Dictionary<int, int>(rejected), failed, retries, duration);
            }
        }

        private void Update(Action change, bool sentOne = true)
        {
            ReplayProgress now;
            lock (gate)
            {
                change();
                if (sentOne)
                {
                    sent++;
                    done++;
                }

                now = new ReplayProgress(done, total, accepted, sent - accepted);
            }

            progress?.Report(now);
        }
    }
}
