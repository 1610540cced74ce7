using System.Threading.Channels;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// A Trigger's bounded queue. Room is reserved before anything is written so the ingress can take an event for
/// all matching Triggers or for none (a partially enqueued event would be delivered to some subscribers only).
/// </summary>
internal sealed class TriggerQueue
{
    private readonly Channel<DeliveryItem> channel = Channel.CreateUnbounded<DeliveryItem>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private int waiting;

    public TriggerQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Events reserved or waiting, not counting those a worker has taken.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    public bool TryReserve()
    {
        while (true)
        {
            var current = Volatile.Read(ref waiting);
            if (current >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref waiting, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void CancelReservation() => Interlocked.Decrement(ref waiting);

    /// <summary>Writes an item into a slot taken with <see cref="TryReserve"/>.</summary>
    public void Write(DeliveryItem item)
    {
        if (!channel.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref waiting);
            throw new InvalidOperationException("The trigger queue is closed.");
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        channel.Reader.WaitToReadAsync(cancellationToken);

    public bool TryRead(out DeliveryItem item)
    {
        if (channel.Reader.TryRead(out item!))
        {
            Interlocked.Decrement(ref waiting);
            return true;
        }

        return false;
    }

    public void Close() => channel.Writer.TryComplete();
}
