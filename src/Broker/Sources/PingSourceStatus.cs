namespace Skylark.Events.Broker.Sources;

/// <summary>A snapshot of one PingSource's schedule and send outcomes since it started.</summary>
/// <param name="NextDue">The next tick the scheduler waits for (UTC); null before it starts and after it stops.</param>
/// <param name="InFlight">A send is running; ticks that come due meanwhile are skipped.</param>
/// <param name="RetryAt">When the in-flight send makes its next attempt, while it waits out a backoff.</param>
/// <param name="Sent">Events the sink acknowledged (2xx).</param>
/// <param name="Failed">Events lost: the sink answered with an error, stayed unreachable or timed out after all retries, or could not be resolved.</param>
/// <param name="Skipped">Ticks that came due while the previous send was still in flight (never queued).</param>
/// <param name="Missed">Ticks that passed while the process was not ticking (paused, clock jump); never replayed.</param>
public sealed record PingSourceStatus(
    DateTimeOffset? NextDue,
    bool InFlight,
    DateTimeOffset? RetryAt,
    long Sent,
    long Failed,
    long Skipped,
    long Missed)
{
    public static readonly PingSourceStatus Initial = new(null, false, null, 0, 0, 0, 0);
}
