using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Tests.Eventing.Resources;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>When a PingSource fires: cron fields, descriptors, time zones, daylight saving time, missed ticks.</summary>
public sealed class PingSourceSchedulingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = At(2026, 1, 1, 10, 7, 13);

    private readonly FakeTimeProvider clock = new();
    private readonly HttpClient http = new();
    private readonly RecordingLogger logger = new();
    private PingSink sink = null!;

    public async Task InitializeAsync()
    {
        clock.SetUtcNow(Start);
        sink = await PingSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await sink.DisposeAsync();
        http.Dispose();
    }

    [Fact]
    public async Task A_five_field_schedule_fires_on_its_minutes_and_not_a_moment_before()
    {
        await using var run = Run("*/15 * * * *");
        var first = At(2026, 1, 1, 10, 15, 0);

        await run.ArmedForAsync(first);
        clock.SetUtcNow(first.AddMilliseconds(-1));
        Assert.Empty(sink.Received);
        Assert.False(run.Scheduler.Status.InFlight);

        clock.SetUtcNow(first);
        Assert.Equal(first, (await sink.NextAsync()).Event.Time);
        await TickAsync(run, At(2026, 1, 1, 10, 30, 0));
        Assert.Equal(At(2026, 1, 1, 10, 45, 0), (await run.WhenAsync(s => s.Sent == 2)).NextDue);
    }

    [Fact]
    public async Task Starting_late_sends_nothing_for_the_ticks_before_the_start()
    {
        await using var run = Run("*/10 * * * * *");

        var status = await run.ArmedForAsync(At(2026, 1, 1, 10, 7, 20));

        Assert.Equal((0, 0, 0), (status.Sent, status.Skipped, status.Missed));
        Assert.Empty(sink.Received);
    }

    [Fact]
    public async Task A_six_field_schedule_reads_the_first_field_as_seconds()
    {
        await using var run = Run("*/10 * * * * *");

        await TickAsync(run, At(2026, 1, 1, 10, 7, 20));
        await TickAsync(run, At(2026, 1, 1, 10, 7, 30));
        await TickAsync(run, At(2026, 1, 1, 10, 7, 40));
    }

    [Fact]
    public async Task Hourly_fires_at_the_top_of_every_hour()
    {
        await using var run = Run("@hourly");

        await TickAsync(run, At(2026, 1, 1, 11, 0, 0));
        await TickAsync(run, At(2026, 1, 1, 12, 0, 0));
    }

    [Fact]
    public async Task The_schedule_is_read_in_the_sources_time_zone()
    {
        // 10:07 UTC is 19:07 in Tokyo (UTC+9, no DST): the next 09:00 there is 00:00 UTC the next day.
        await using var run = Run("0 9 * * *", timezone: "Asia/Tokyo");

        await TickAsync(run, At(2026, 1, 2, 0, 0, 0));
    }

    [Fact]
    public async Task Without_a_time_zone_the_schedule_is_read_in_the_system_time_zone()
    {
        clock.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/Vienna"));
        await using var run = Run("0 9 * * *");

        await TickAsync(run, At(2026, 1, 2, 8, 0, 0));
    }

    [Fact]
    public async Task A_daily_tick_in_the_hour_spring_forward_skips_fires_at_the_transition_instead()
    {
        // Vienna, 29 March 2026: clocks jump from 02:00 CET to 03:00 CEST, so 02:30 does not exist that day.
        // Cronos moves the occurrence to the first valid instant, 03:00 CEST (01:00 UTC), instead of dropping it.
        clock.SetUtcNow(At(2026, 3, 28, 12, 0, 0));
        await using var run = Run("30 2 * * *", timezone: "Europe/Vienna");

        await TickAsync(run, At(2026, 3, 29, 1, 0, 0));
        await TickAsync(run, At(2026, 3, 30, 0, 30, 0));
    }

    [Fact]
    public async Task A_daily_tick_in_the_hour_fall_back_repeats_fires_once_in_the_first_pass()
    {
        // Vienna, 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET, so 02:30 happens twice:
        // 00:30 UTC (CEST) and 01:30 UTC (CET). A non-interval schedule fires in the first pass only.
        clock.SetUtcNow(At(2026, 10, 24, 12, 0, 0));
        await using var run = Run("30 2 * * *", timezone: "Europe/Vienna");

        await TickAsync(run, At(2026, 10, 25, 0, 30, 0));
        await run.WhenAsync(s => s.NextDue == At(2026, 10, 26, 1, 30, 0) && s.Sent == 1 && !s.InFlight);
        clock.SetUtcNow(At(2026, 10, 25, 1, 30, 0));
        Assert.Single(sink.Received);
        Assert.False(run.Scheduler.Status.InFlight);

        await TickAsync(run, At(2026, 10, 26, 1, 30, 0));
        Assert.Equal(2, sink.Received.Count);
    }

    [Fact]
    public async Task An_interval_schedule_fires_in_both_passes_of_the_repeated_hour()
    {
        // Hourly in Vienna across the same fall-back: 02:00 CEST, 02:00 CET and 03:00 CET, one hour apart each.
        clock.SetUtcNow(At(2026, 10, 24, 23, 30, 0));
        await using var run = Run("0 * * * *", timezone: "Europe/Vienna");

        await TickAsync(run, At(2026, 10, 25, 0, 0, 0));
        await TickAsync(run, At(2026, 10, 25, 1, 0, 0));
        await TickAsync(run, At(2026, 10, 25, 2, 0, 0));
    }

    [Fact]
    public async Task Ticks_missed_while_the_machine_was_paused_are_counted_and_not_replayed()
    {
        var paused = new JumpingClock(Start);
        await using var run = Run("*/10 * * * * *", time: paused);
        await run.ArmedForAsync(At(2026, 1, 1, 10, 7, 20));

        // An hour passes on the wall clock while the timer stands still; it then fires late, once.
        paused.Jump(TimeSpan.FromHours(1));
        paused.Timers.Advance(TimeSpan.FromSeconds(7));

        var late = await sink.NextAsync();
        Assert.Equal(At(2026, 1, 1, 11, 7, 20), late.Event.Time);
        var status = await run.WhenAsync(s => s.Sent == 1 && s.NextDue is not null);
        Assert.Equal(360, status.Missed);
        Assert.Equal(0, status.Skipped);
        Assert.Equal(At(2026, 1, 1, 11, 7, 30), status.NextDue);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("360 later tick(s)", StringComparison.Ordinal));

        paused.Timers.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(At(2026, 1, 1, 11, 7, 30), (await sink.NextAsync()).Event.Time);
        Assert.Equal(2, (await run.WhenAsync(s => s.Sent == 2)).Sent);
        Assert.Equal(2, sink.Received.Count);
    }

    [Fact]
    public async Task Stopping_clears_the_next_due_and_logs_the_totals()
    {
        var run = Run("*/10 * * * * *");
        await TickAsync(run, At(2026, 1, 1, 10, 7, 20));
        await run.WhenAsync(s => s.Sent == 1);

        await run.StopAsync();
        await run.DisposeAsync();

        Assert.Null(run.Scheduler.Status.NextDue);
        Assert.Contains(logger.Entries, e => e.Message.Contains("stopped after 1 sent, 0 failed, 0 skipped and 0 missed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_status_watcher_that_throws_cannot_stop_the_pings()
    {
        await using var run = Run("*/10 * * * * *");
        run.Scheduler.StatusChanged += (_, _) => throw new InvalidOperationException("broken watcher");

        await TickAsync(run, At(2026, 1, 1, 10, 7, 20));
        await TickAsync(run, At(2026, 1, 1, 10, 7, 30));

        Assert.Equal(2, (await run.WhenAsync(s => s.Sent == 2)).Sent);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("StatusChanged handler threw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runs_only_once()
    {
        await using var run = Run("@hourly");

        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Scheduler.RunAsync(CancellationToken.None));
    }

    /// <summary>Moves the clock to <paramref name="due"/> once the scheduler waits for it with no send in flight.</summary>
    private async Task TickAsync(SchedulerRun run, DateTimeOffset due)
    {
        await run.WhenAsync(s => s.NextDue == due && !s.InFlight);
        clock.SetUtcNow(due);
        var ping = await sink.NextAsync();
        Assert.Equal(due, ping.Event.Time);
    }

    private SchedulerRun Run(string schedule, string? timezone = null, TimeProvider? time = null) =>
        SchedulerRun.Start(new PingSourceScheduler(
            PingSourceResources.Create(schedule, sink.Url, timezone: timezone),
            PingSourceResources.UriSinks,
            http,
            time ?? clock,
            logger));

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute, int second) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);
}
