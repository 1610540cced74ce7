using Skylark.Events.State.Functions;

namespace Skylark.Events.Tests.Functions.Hosting;

public class KeyedAsyncLockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Holders_of_one_key_take_turns_while_other_keys_proceed_and_idle_keys_are_forgotten()
    {
        var locks = new KeyedAsyncLock();

        var first = await locks.AcquireAsync("cam-1");
        var second = locks.AcquireAsync("cam-1");
        var other = await locks.AcquireAsync("cam-2").WaitAsync(Bound);
        var waitingWhileHeld = second.IsCompleted;
        first.Dispose();
        var next = await second.WaitAsync(Bound);
        next.Dispose();
        other.Dispose();

        Assert.False(waitingWhileHeld);
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_nothing_behind()
    {
        var locks = new KeyedAsyncLock();
        var held = await locks.AcquireAsync("cam-1");
        using var cancel = new CancellationTokenSource();

        var waiting = locks.AcquireAsync("cam-1", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();

        Assert.Equal(0, locks.Count);
    }
}
