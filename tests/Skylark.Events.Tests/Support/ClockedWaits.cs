using Microsoft.Extensions.Time.Testing;

namespace Skylark.Events.Tests.Support;

/// <summary>Waits for a condition that a background loop on a <see cref="FakeTimeProvider"/> brings about.</summary>
public static class ClockedWaits
{
    /// <summary>
    /// Checks <paramref name="condition"/>, and while it is false advances <paramref name="clock"/> by
    /// <paramref name="step"/> and lets real time pass a little, for at most 10 s of real time. Advancing again and
    /// again (instead of once) does not depend on the loop having reached its wait when the clock first moves.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, TimeSpan step, Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            clock.Advance(step);
            await Task.Delay(20);
        }
    }

    /// <summary>Waits in real time (at most 10 s) until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
