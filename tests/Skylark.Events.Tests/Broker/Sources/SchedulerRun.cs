using Skylark.Events.Broker.Sources;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>A scheduler running until disposed, with a way to await its status.</summary>
public sealed class SchedulerRun : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource stop = new();

    private SchedulerRun(PingSourceScheduler scheduler)
    {
        Scheduler = scheduler;
        Completion = scheduler.RunAsync(stop.Token);
    }

    public PingSourceScheduler Scheduler { get; }

    /// <summary>The scheduler's <see cref="PingSourceScheduler.RunAsync"/>.</summary>
    public Task Completion { get; }

    public static SchedulerRun Start(PingSourceScheduler scheduler) => new(scheduler);

    /// <summary>Waits (at most 10 s) until the status satisfies <paramref name="condition"/>, and returns it.</summary>
    public Task<PingSourceStatus> WhenAsync(Func<PingSourceStatus, bool> condition) => WhenAsync(Scheduler, condition);

    /// <summary>Waits until the scheduler is armed for <paramref name="due"/>: only then may a test move the clock there.</summary>
    public Task<PingSourceStatus> ArmedForAsync(DateTimeOffset due) => WhenAsync(s => s.NextDue == due);

    public static async Task<PingSourceStatus> WhenAsync(PingSourceScheduler scheduler, Func<PingSourceStatus, bool> condition)
    {
        var reached = new TaskCompletionSource<PingSourceStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, PingSourceStatus changed)
        {
            var current = scheduler.Status;
            if (condition(current))
            {
                reached.TrySetResult(current);
            }
        }

        scheduler.StatusChanged += Check;
        try
        {
            Check(null, scheduler.Status);
            return await reached.Task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"PingSource {scheduler.Name} did not reach the expected status within {Patience}; it is {scheduler.Status}");
        }
        finally
        {
            scheduler.StatusChanged -= Check;
        }
    }

    /// <summary>Stops the scheduler and waits (at most 10 s) for it to finish.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await Completion.WaitAsync(Patience);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            await StopAsync();
        }

        stop.Dispose();
    }
}
