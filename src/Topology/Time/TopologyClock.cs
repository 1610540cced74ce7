using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skylark.Events.Topology;

/// <summary>
/// Tracks the current snapshot of a topology on a <see cref="TimeProvider"/> and announces each change
/// (as an event and as an <see cref="IObservable{T}"/>). <see cref="Current"/> is computed from the clock on
/// every read, so it is right even in the moment before a change notification has been delivered.
/// </summary>
public sealed class TopologyClock : IObservable<SnapshotChange>, IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _gate = new();
    private ImmutableObservers _observers = ImmutableObservers.Empty;
    private int _announcedIndex;
    private bool _disposed;

    public TopologyClock(NetworkTopology topology, TimeProvider? timeProvider = null, DateTimeOffset? epoch = null, ILogger<TopologyClock>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Schedule = new SnapshotSchedule(topology, epoch ?? _time.GetUtcNow());
        _announcedIndex = Schedule.IndexAt(_time.GetUtcNow());
        if (!topology.IsStatic)
        {
            _timer = _time.CreateTimer(_ => OnTick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Arm(_time.GetUtcNow());
        }
    }

    /// <summary>Raised on a timer thread after the current snapshot changed.</summary>
    public event EventHandler<SnapshotChange>? SnapshotChanged;

    public SnapshotSchedule Schedule { get; }

    public NetworkTopology Topology => Schedule.Topology;

    public TimeProvider TimeProvider => _time;

    public int CurrentIndex => Schedule.IndexAt(_time.GetUtcNow());

    public TopologySnapshot Current => Schedule.At(_time.GetUtcNow());

    /// <summary>The snapshot that comes after <see cref="Current"/>.</summary>
    public TopologySnapshot Next => Schedule.NextAfter(_time.GetUtcNow());

    /// <summary>When <see cref="Current"/> gets replaced; null for a static topology.</summary>
    public DateTimeOffset? NextChangeAt => Schedule.NextChangeAfter(_time.GetUtcNow());

    public IDisposable Subscribe(IObserver<SnapshotChange> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            if (_disposed)
            {
                observer.OnCompleted();
                return new Unsubscriber(this, observer);
            }

            _observers = _observers.Add(observer);
        }

        return new Unsubscriber(this, observer);
    }

    public void Dispose()
    {
        ImmutableObservers observers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            observers = _observers;
            _observers = ImmutableObservers.Empty;
        }

        _timer?.Dispose();
        foreach (var observer in observers.Items)
        {
            observer.OnCompleted();
        }
    }

    private void OnTick()
    {
        SnapshotChange? change = null;
        ImmutableObservers observers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var index = Schedule.IndexAt(now);
            if (index != _announcedIndex)
            {
                change = new SnapshotChange(_announcedIndex, Schedule.Snapshots[_announcedIndex], index, Schedule.Snapshots[index], now);
                _announcedIndex = index;
            }

            observers = _observers;
            Arm(now);
        }

        if (change is null)
        {
            return;
        }

        _logger.LogInformation(
            "Topology {Topology} moved from snapshot {Previous} to {Current}",
            Topology.Name,
            change.Previous.Name,
            change.Current.Name);

        // A throwing subscriber must not stop the clock or starve the others.
        try
        {
            SnapshotChanged?.Invoke(this, change);
        }
#pragma warning disable CA1031 // subscriber code is arbitrary; the clock must keep ticking
        catch (Exception ex)
        {
            _logger.LogError(ex, "A SnapshotChanged handler failed");
        }

        foreach (var observer in observers.Items)
        {
            try
            {
                observer.OnNext(change);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A snapshot observer failed");
            }
        }
#pragma warning restore CA1031
    }

    private void Arm(DateTimeOffset now)
    {
        // Re-derived from the schedule on each tick, so timer lateness never accumulates into drift.
        if (Schedule.NextChangeAfter(now) is { } next)
        {
            _timer?.Change(next - now, Timeout.InfiniteTimeSpan);
        }
    }

    private void Unsubscribe(IObserver<SnapshotChange> observer)
    {
        lock (_gate)
        {
            _observers = _observers.Remove(observer);
        }
    }

    private sealed class Unsubscriber(TopologyClock clock, IObserver<SnapshotChange> observer) : IDisposable
    {
        public void Dispose() => clock.Unsubscribe(observer);
    }

    /// <summary>Copy-on-write list so notifications iterate a stable set without holding the lock.</summary>
    private sealed class ImmutableObservers(IObserver<SnapshotChange>[] items)
    {
        public static readonly ImmutableObservers Empty = new([]);

        public IObserver<SnapshotChange>[] Items { get; } = items;

        public ImmutableObservers Add(IObserver<SnapshotChange> observer) => new([.. Items, observer]);

        public ImmutableObservers Remove(IObserver<SnapshotChange> observer) => new(Items.Where(o => !ReferenceEquals(o, observer)).ToArray());
    }
}
