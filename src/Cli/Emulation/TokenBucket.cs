namespace Skylark.Events.Cli.Emulation;

/// <summary>
/// Paces one direction of a link to a byte rate. Tokens may go negative ("debt"): a chunk is let through
/// and the caller then waits until the debt is repaid, so pacing is exact regardless of chunk size, and
/// time lost to a late timer is credited back (up to the burst depth) instead of lowering throughput.
/// Not thread-safe: one bucket per direction, used by that direction's reader only.
/// </summary>
internal sealed class TokenBucket(double burstBytes, TimeProvider time)
{
    private readonly double _burst = burstBytes;
    private double _tokens = burstBytes;
    private long _last = time.GetTimestamp();

    public ValueTask TakeAsync(int bytes, double bytesPerSecond, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (double.IsPositiveInfinity(bytesPerSecond))
        {
            _tokens = _burst;
            _last = now;
            return ValueTask.CompletedTask;
        }

        _tokens = Math.Min(_burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * bytesPerSecond));
        _last = now;
        _tokens -= bytes;
        return _tokens >= 0
            ? ValueTask.CompletedTask
            : new ValueTask(Task.Delay(TimeSpan.FromSeconds(-_tokens / bytesPerSecond), time, cancellationToken));
    }
}
