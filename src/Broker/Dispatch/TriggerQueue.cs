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

    // Only journal recovery waits for room; null (the ingress path never waits) unless it does.
    private readonly Lock roomGate = new();
    private TaskCompletionSource? room;

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

    public void CancelReservation()
    {
        Interlocked.Decrement(ref waiting);
        SignalRoom();
    }

    /// <summary>Reserves a slot, waiting for one to free up rather than failing (journal recovery's backpressure).</summary>
    public async ValueTask ReserveAsync(CancellationToken cancellationToken)
    {
        while (!TryReserve())
        {
            Task freed;
            lock (roomGate)
            {
                room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = room.Task;
            }

            // A slot freed between the failed try and the registration would not signal.
            if (TryReserve())
            {
                return;
            }

            await freed.WaitAsync(cancellationToken);
        }
    }

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
            SignalRoom();
            return true;
        }

        return false;
    }

    private void SignalRoom()
    {
        if (Volatile.Read(ref room) is null)
        {
            return;
        }

        lock (roomGate)
        {
            room?.TrySetResult();
            room = null;
        }
    }

    public void Close() => channel.Writer.TryComplete();
}
