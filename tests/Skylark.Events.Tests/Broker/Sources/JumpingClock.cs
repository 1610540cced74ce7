using Microsoft.Extensions.Time.Testing;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>
/// A fake clock whose wall time can leap while timers stand still, as when a machine is suspended or a VM paused:
/// a timer measures elapsed (monotonic) time, so after the pause it fires late and the wall clock is far ahead.
/// </summary>
public sealed class JumpingClock : TimeProvider
{
    private TimeSpan leap;

    public JumpingClock(DateTimeOffset start) => Timers.SetUtcNow(start);

    /// <summary>Runs the timers; advancing it moves both wall time and elapsed time.</summary>
    public FakeTimeProvider Timers { get; } = new();

    /// <summary>Moves wall time by <paramref name="pause"/> without firing any timer.</summary>
    public void Jump(TimeSpan pause) => leap += pause;

    public override DateTimeOffset GetUtcNow() => Timers.GetUtcNow() + leap;

    public override long GetTimestamp() => Timers.GetTimestamp();

    public override long TimestampFrequency => Timers.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Timers.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Timers.CreateTimer(callback, state, dueTime, period);
}
