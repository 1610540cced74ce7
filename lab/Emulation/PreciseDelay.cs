using System.Diagnostics;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Sub-millisecond-accurate waits on the real clock. <c>Task.Delay</c> on Linux runs off the coarse
/// tick count (4 ms steps on a 250 Hz kernel), which turned a 10 ms emulated hop into 12 ms; a single
/// dedicated thread sleeping in <see cref="Monitor.Wait(object, int)"/> (a precise condition-variable
/// wait) releases due waiters within ~0.1 ms. Continuations run on the thread pool, never on this thread.
/// </summary>
internal sealed class PreciseDelay
{
    public static readonly PreciseDelay Shared = new();

    private readonly object _gate = new(); // Monitor.Wait/Pulse need a monitor, not a System.Threading.Lock
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private Thread? _thread;

    /// <summary>Completes at or just after <paramref name="dueTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public Task UntilAsync(long dueTimestamp, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (dueTimestamp <= Stopwatch.GetTimestamp())
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (cancellationToken.CanBeCanceled)
        {
            // The entry stays queued until its time comes; completing it twice is harmless.
            var registration = cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), waiter);
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        lock (_gate)
        {
            var wakeEarlier = !_waiters.TryPeek(out _, out var earliest) || dueTimestamp < earliest;
            _waiters.Enqueue(waiter, dueTimestamp);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "skylark link-emulation timer" };
                _thread.Start();
            }
            else if (wakeEarlier)
            {
                Monitor.Pulse(_gate);
            }
        }

        return waiter.Task;
    }

    private void Run()
    {
        lock (_gate)
        {
            while (true)
            {
                if (!_waiters.TryPeek(out var waiter, out var due))
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (remaining > TimeSpan.Zero)
                {
                    // Rounded up: a wait never ends before the due instant.
                    Monitor.Wait(_gate, (int)Math.Ceiling(Math.Min(remaining.TotalMilliseconds, int.MaxValue)));
                    continue;
                }

                _waiters.Dequeue();
                waiter.TrySetResult();
            }
        }
    }
}
