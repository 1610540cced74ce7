using System.Collections.Concurrent;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// The system clock, noting every timer created through it — so a test can see the delays a component asked for
/// (e.g. <c>Task.Delay(delay, timeProvider)</c>) without asserting on elapsed time.
/// </summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> timers = new();

    /// <summary>Due times of the finite timers created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Timers => [.. timers];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            timers.Enqueue(dueTime);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
