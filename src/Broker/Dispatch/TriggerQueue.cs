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

    // Queued counts against the capacity; in flight does not: a worker holds at most one delivery at a time.
    private int queued;
    private int inFlight;

    // Only journal recovery waits for room; null (the ingress path never waits) unless it does.
    private readonly Lock roomGate = new();
    private TaskCompletionSource? room;

    public TriggerQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Events reserved or queued, not counting those a worker has taken; bounded by <see cref="Capacity"/>.</summary>
    public int Queued => Volatile.Read(ref queued);

    /// <summary>Events a worker has taken and not finished: being sent, or backing off between retries.</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Events this Trigger holds that its subscriber has not yet taken: queued plus in flight.</summary>
    public int Waiting => Queued + InFlight;

    public bool TryReserve()
    {
        while (true)
        {
            var current = Volatile.Read(ref queued);
            if (current >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref queued, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void CancelReservation()
    {
        Interlocked.Decrement(ref queued);
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
            Interlocked.Decrement(ref queued);
            throw new InvalidOperationException("The trigger queue is closed.");
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the next item for a worker, which calls <see cref="Finished"/> when it is done with it.</summary>
    public bool TryRead(out DeliveryItem item)
    {
        if (channel.Reader.TryRead(out item!))
        {
            // In flight before it stops being queued, so Waiting never dips in between.
            Interlocked.Increment(ref inFlight);
            Interlocked.Decrement(ref queued);
            SignalRoom();
            return true;
        }

        return false;
    }

    /// <summary>A worker is done with an item it took: delivered, dead-lettered, dropped or abandoned.</summary>
    public void Finished() => Interlocked.Decrement(ref inFlight);

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
