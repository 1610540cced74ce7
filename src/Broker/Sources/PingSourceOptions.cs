namespace Skylark.Events.Broker.Sources;

/// <summary>
/// How a PingSource sends. The defaults are Knative's mtping adapter's: up to 5 retries with exponential backoff
/// from 50 ms, so a failing sink costs well under a minute.
/// </summary>
public sealed record PingSourceOptions
{
    public static readonly PingSourceOptions Default = new();

    /// <summary>Retries after the first attempt, for unreachable sinks and 404, 425, 429, 503, 504 answers.</summary>
    public int Retry { get; init; } = 5;

    /// <summary>The first backoff; each further retry waits twice as long.</summary>
    public TimeSpan BackoffDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long one attempt may take. Knative sets none; we bound it because a hung sink would otherwise hold the
    /// source's single in-flight slot for ever and every later tick would be skipped.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public PingSourceOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Retry, nameof(Retry));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffDelay, TimeSpan.Zero, nameof(BackoffDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        return this;
    }
}
