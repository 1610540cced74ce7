namespace Skylark.Events.Tests.Support;

/// <summary>
/// The one way tests wait for something another thread or process does: check, wait a little, check again, until it
/// holds or the bound passes. The bound only limits how long a failing test takes; a passing one waits no longer than
/// the effect needs.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    public static Task UntilAsync(Func<bool> condition, string what = "the condition holds", TimeSpan? bound = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, bound);

    /// <summary>As <see cref="UntilAsync(Func{bool}, string, TimeSpan?)"/>, for a check that is itself a request.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Timed out after {bound ?? Bound} waiting until {what}.");
            }

            await Task.Delay(Interval);
        }
    }
}
