namespace Skylark.Events.Predictor.Election;

/// <summary>
/// 4-ary min-heap of (key, node) entries that tracks each node's position, so a node is in the heap at most once
/// and its key is lowered in place; a popped node is marked settled. Keys live in the entries, so sifting touches
/// one contiguous array. A mutable struct: keep it in a field or local and never copy it.
/// </summary>
internal struct IndexedHeap
{
    private const int Absent = -1;
    private const int Settled = -2;
    private readonly Entry[] _heap;
    private readonly int[] _position;
    private int _count;

    public IndexedHeap(int capacity)
    {
        _heap = new Entry[Math.Max(1, capacity)];
        _position = new int[Math.Max(1, capacity)];
        _position.AsSpan().Fill(Absent);
    }

    public readonly int Count => _count;

    public readonly bool IsSettled(int node) => _position[node] == Settled;

    /// <summary>Adds <paramref name="node"/> with <paramref name="key"/>, or lowers its key to it.</summary>
    public void InsertOrDecrease(int node, double key)
    {
        var i = _position[node];
        if (i == Absent)
        {
            i = _count++;
        }

        SiftUp(i, new Entry(key, node));
    }

    public bool TryPop(out int node)
    {
        if (_count == 0)
        {
            node = -1;
            return false;
        }

        node = _heap[0].Node;
        _position[node] = Settled;
        _count--;
        if (_count > 0)
        {
            SiftDown(_heap[_count]);
        }

        return true;
    }

    private readonly void SiftUp(int i, Entry entry)
    {
        var heap = _heap;
        while (i > 0)
        {
            var parent = (i - 1) >> 2;
            var above = heap[parent];
            if (above.Key <= entry.Key)
            {
                break;
            }

            heap[i] = above;
            _position[above.Node] = i;
            i = parent;
        }

        heap[i] = entry;
        _position[entry.Node] = i;
    }

    private readonly void SiftDown(Entry entry)
    {
        var heap = _heap;
        var count = _count;
        var i = 0;
        while (true)
        {
            var first = (i << 2) + 1;
            if (first >= count)
            {
                break;
            }

            var best = first;
            var bestKey = heap[first].Key;
            var last = Math.Min(first + 4, count);
            for (var c = first + 1; c < last; c++)
            {
                if (heap[c].Key < bestKey)
                {
                    best = c;
                    bestKey = heap[c].Key;
                }
            }

            if (bestKey >= entry.Key)
            {
                break;
            }

            heap[i] = heap[best];
            _position[heap[i].Node] = i;
            i = best;
        }

        heap[i] = entry;
        _position[entry.Node] = i;
    }

    private readonly record struct Entry(double Key, int Node);
}
