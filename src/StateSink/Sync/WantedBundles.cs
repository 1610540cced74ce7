using Skylark.Events.Contracts;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// Bundles a propagate command asked for but this node could not get (the holder did not have them yet, a pull
/// failed, the deadline passed). The periodic sync tries them again. Bounded: beyond <see cref="Capacity"/> the
/// oldest are forgotten, and each is forgotten <see cref="TimeToLive"/> after it was first wanted.
/// </summary>
public sealed class WantedBundles
{
    private readonly Dictionary<StateRef, LinkedListNode<(StateRef StateRef, DateTimeOffset Since)>> _byRef = [];
    private readonly LinkedList<(StateRef StateRef, DateTimeOffset Since)> _oldestFirst = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    public WantedBundles(int capacity, TimeSpan timeToLive, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        Capacity = capacity;
        TimeToLive = timeToLive;
        _time = timeProvider ?? TimeProvider.System;
    }

    public int Capacity { get; }

    public TimeSpan TimeToLive { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byRef.Count;
            }
        }
    }

    /// <summary>Wants <paramref name="stateRef"/>; one wanted already keeps the time it was first wanted.</summary>
    public void Add(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            if (_byRef.ContainsKey(stateRef))
            {
                return;
            }

            if (_byRef.Count >= Capacity)
            {
                _byRef.Remove(_oldestFirst.First!.Value.StateRef);
                _oldestFirst.RemoveFirst();
            }

            _byRef[stateRef] = _oldestFirst.AddLast((stateRef, _time.GetUtcNow()));
        }
    }

    public bool Remove(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            if (!_byRef.Remove(stateRef, out var node))
            {
                return false;
            }

            _oldestFirst.Remove(node);
            return true;
        }
    }

    public bool Contains(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            return _byRef.ContainsKey(stateRef);
        }
    }

    /// <summary>Forgets the expired ones and returns the rest, oldest first.</summary>
    public IReadOnlyList<StateRef> Current()
    {
        var cutoff = _time.GetUtcNow() - TimeToLive;
        lock (_gate)
        {
            while (_oldestFirst.First is { } oldest && oldest.Value.Since <= cutoff)
            {
                _byRef.Remove(oldest.Value.StateRef);
                _oldestFirst.RemoveFirst();
            }

            return _oldestFirst.Select(w => w.StateRef).ToList();
        }
    }
}
