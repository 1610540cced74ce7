namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// One sender on the emulated wires (a proxy connection, one direction): its identity for the pacers it
/// shares, and its own bytes scheduled but not yet departed. A wire is a FIFO, so each sender's share of
/// it is proportional to its share of the queue; capping every sender's own backlog at the same fair
/// share (rather than letting whoever refills first fill the whole queue) is what makes senders on one
/// link split it evenly. Used by one reader loop at a time; no locking.
/// </summary>
internal sealed class WireFlow(int capacity)
{
    private readonly long[] _departures = new long[capacity];
    private readonly int[] _bytes = new int[capacity];
    private int _head;
    private int _count;
    private long _backlog;

    /// <summary>Records a scheduled chunk; chunks are added in departure order.</summary>
    public void Add(long departure, int bytes)
    {
        if (_count == _departures.Length)
        {
            // Only reachable if more chunks are in flight than the proxy's queues hold; forget the oldest.
            Pop();
        }

        var slot = (_head + _count) % _departures.Length;
        _departures[slot] = departure;
        _bytes[slot] = bytes;
        _count++;
        _backlog += bytes;
    }

    /// <summary>Own bytes whose departure lies after <paramref name="now"/>.</summary>
    public long BacklogBytes(long now)
    {
        while (_count > 0 && _departures[_head] <= now)
        {
            Pop();
        }

        return _backlog;
    }

    /// <summary>When the own backlog will have shrunk to at most <paramref name="bytes"/> (a timestamp).</summary>
    public long DrainedTo(long bytes)
    {
        var remaining = _backlog;
        for (var i = 0; i < _count && remaining > bytes; i++)
        {
            var slot = (_head + i) % _departures.Length;
            remaining -= _bytes[slot];
            if (remaining <= bytes)
            {
                return _departures[slot];
            }
        }

        return long.MinValue;
    }

    private void Pop()
    {
        _backlog -= _bytes[_head];
        _head = (_head + 1) % _departures.Length;
        _count--;
    }
}
