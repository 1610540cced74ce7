namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// Counts deliveries queued or running so shutdown can wait until the broker is idle. A reply is counted before
/// the delivery that produced it ends, so the count only reaches zero when no more work can appear from inside.
/// </summary>
internal sealed class InFlightDeliveries
{
    private readonly Lock gate = new();
    private int count;
    private TaskCompletionSource? idle;

    public int Count => Volatile.Read(ref count);

    public void Add() => Interlocked.Increment(ref count);

    public void Done()
    {
        if (Interlocked.Decrement(ref count) != 0)
        {
            return;
        }

        lock (gate)
        {
            // Work may have been added between the decrement and the lock.
            if (Volatile.Read(ref count) == 0)
            {
                idle?.TrySetResult();
                idle = null;
            }
        }
    }

    public Task WhenIdleAsync()
    {
        lock (gate)
        {
            if (Volatile.Read(ref count) == 0)
            {
                return Task.CompletedTask;
            }

            idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return idle.Task;
        }
    }
}
