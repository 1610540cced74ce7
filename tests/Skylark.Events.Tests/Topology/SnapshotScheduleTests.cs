using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class SnapshotScheduleTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetworkTopology Testbed = TopologyLoader.Load(TopologyFiles.DatabeltTestbed);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(59.999, 0)]
    [InlineData(60, 1)]
    [InlineData(6 * 60 + 30, 6)]
    [InlineData(7 * 60, 0)]
    [InlineData(15 * 60 + 1, 1)]
    [InlineData(-1, 6)]
    [InlineData(-7 * 60, 0)]
    public void The_current_snapshot_advances_each_period_and_wraps_around(double secondsAfterEpoch, int expected)
    {
        var schedule = new SnapshotSchedule(Testbed, Epoch);

        var at = Epoch + TimeSpan.FromSeconds(secondsAfterEpoch);

        Assert.Equal(expected, schedule.IndexAt(at));
        Assert.Same(Testbed.Snapshots[expected], schedule.At(at));
        Assert.Same(Testbed.Snapshots[(expected + 1) % 7], schedule.NextAfter(at));
    }

    [Fact]
    public void The_next_change_is_the_end_of_the_current_period()
    {
        var schedule = new SnapshotSchedule(Testbed, Epoch);

        Assert.Equal(Epoch.AddSeconds(60), schedule.NextChangeAfter(Epoch));
        Assert.Equal(Epoch.AddSeconds(480), schedule.NextChangeAfter(Epoch.AddSeconds(455)));
        Assert.Equal(TimeSpan.FromSeconds(25), schedule.RemainingAt(Epoch.AddSeconds(455)));
        Assert.Equal(Epoch, schedule.NextChangeAfter(Epoch.AddSeconds(-0.5)));
    }

    [Fact]
    public void A_static_topology_never_changes()
    {
        var schedule = new SnapshotSchedule(TopologyLoader.Load(TopologyFiles.ThreeNodes), Epoch);

        Assert.Equal(0, schedule.IndexAt(Epoch.AddYears(3)));
        Assert.Same(schedule.At(Epoch), schedule.NextAfter(Epoch));
        Assert.Null(schedule.NextChangeAfter(Epoch));
    }

    [Fact]
    public void The_clock_announces_each_change_with_the_previous_and_current_snapshot()
    {
        var time = new FakeTimeProvider(Epoch);
        using var clock = new TopologyClock(Testbed, time);
        var changes = new List<SnapshotChange>();
        clock.SnapshotChanged += (_, change) => changes.Add(change);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(changes);
        Assert.Equal(0, clock.CurrentIndex);

        time.Advance(TimeSpan.FromSeconds(1));
        var first = Assert.Single(changes);
        Assert.Equal((0, 1), (first.PreviousIndex, first.CurrentIndex));
        Assert.Equal(("t0", "t1"), (first.Previous.Name, first.Current.Name));
        Assert.Equal(Epoch.AddSeconds(60), first.At);
        Assert.Equal("t1", clock.Current.Name);
        Assert.Equal("t2", clock.Next.Name);
        Assert.Equal(Epoch.AddSeconds(120), clock.NextChangeAt);
    }

    [Fact]
    public void The_clock_wraps_from_the_last_snapshot_to_the_first()
    {
        var time = new FakeTimeProvider(Epoch);
        using var clock = new TopologyClock(Testbed, time);
        var seen = new List<int>();
        clock.SnapshotChanged += (_, change) => seen.Add(change.CurrentIndex);

        for (var minute = 0; minute < 8; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 0, 1], seen);
    }

    [Fact]
    public void A_jump_over_several_periods_is_one_change_to_where_the_schedule_is_now()
    {
        var time = new FakeTimeProvider(Epoch);
        using var clock = new TopologyClock(Testbed, time, Epoch.AddSeconds(-30));
        var changes = new List<SnapshotChange>();
        clock.SnapshotChanged += (_, change) => changes.Add(change);

        time.Advance(TimeSpan.FromMinutes(3));

        var change = Assert.Single(changes);
        Assert.Equal((0, 3), (change.PreviousIndex, change.CurrentIndex));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, changes.Count);
        Assert.Equal(4, changes[1].CurrentIndex);
    }

    [Fact]
    public void Observers_receive_changes_until_they_unsubscribe_and_completion_on_dispose()
    {
        var time = new FakeTimeProvider(Epoch);
        var clock = new TopologyClock(Testbed, time);
        var kept = new RecordingObserver();
        var dropped = new RecordingObserver();
        using var keptSubscription = clock.Subscribe(kept);
        var droppedSubscription = clock.Subscribe(dropped);

        time.Advance(TimeSpan.FromMinutes(1));
        droppedSubscription.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));
        clock.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([1, 2], kept.Changes.Select(c => c.CurrentIndex));
        Assert.Equal([1], dropped.Changes.Select(c => c.CurrentIndex));
        Assert.True(kept.Completed);
        Assert.False(dropped.Completed);
    }

    [Fact]
    public void A_failing_subscriber_does_not_stop_the_clock()
    {
        var time = new FakeTimeProvider(Epoch);
        using var clock = new TopologyClock(Testbed, time);
        var seen = new List<int>();
        clock.SnapshotChanged += (_, _) => throw new InvalidOperationException("subscriber bug");
        using var subscription = clock.Subscribe(new RecordingObserver(change => seen.Add(change.CurrentIndex)));

        time.Advance(TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public void A_static_topology_clock_never_fires()
    {
        var time = new FakeTimeProvider(Epoch);
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.ThreeNodes), time);
        var fired = 0;
        clock.SnapshotChanged += (_, _) => fired++;

        time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, fired);
        Assert.Equal(NetworkTopology.StaticSnapshotName, clock.Current.Name);
        Assert.Null(clock.NextChangeAt);
    }

    private sealed class RecordingObserver(Action<SnapshotChange>? onNext = null) : IObserver<SnapshotChange>
    {
        public List<SnapshotChange> Changes { get; } = [];

        public bool Completed { get; private set; }

        public void OnCompleted() => Completed = true;

        public void OnError(Exception error) => throw error;

        public void OnNext(SnapshotChange value)
        {
            Changes.Add(value);
            onNext?.Invoke(value);
        }
    }
}
