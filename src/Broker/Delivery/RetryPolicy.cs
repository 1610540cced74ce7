using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Delivery;

/// <summary>
/// Knative's retry rules for one DeliverySpec, in one place: how many retries, which failures are retried, how long
/// to wait before each retry, and the per-attempt timeout.
/// </summary>
public sealed class RetryPolicy
{
    public static readonly RetryPolicy None = new(retry: 0, BackoffPolicy.Exponential, backoffDelay: null, timeout: null, retryAfterMax: null);

    public RetryPolicy(int retry, BackoffPolicy backoffPolicy, TimeSpan? backoffDelay, TimeSpan? timeout, TimeSpan? retryAfterMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retry);
        if (backoffDelay is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(backoffDelay));
        }

        if (timeout is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, TimeSpan.Zero, nameof(timeout));
        }

        if (retryAfterMax is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, TimeSpan.Zero, nameof(retryAfterMax));
        }

        Retry = retry;
        BackoffPolicy = backoffPolicy;
        BackoffDelay = backoffDelay ?? TimeSpan.Zero;
        Timeout = timeout;
        RetryAfterMax = retryAfterMax;
    }

    /// <summary>Retries after the first attempt (so at most <c>Retry + 1</c> attempts).</summary>
    public int Retry { get; }

    public BackoffPolicy BackoffPolicy { get; }

    public TimeSpan BackoffDelay { get; }

    /// <summary>Limit on each attempt, response body included; null waits as long as the destination takes.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Null ignores <c>Retry-After</c>; otherwise it is honoured for 429 and 503, capped at this.</summary>
    public TimeSpan? RetryAfterMax { get; }

    /// <summary>
    /// Builds the policy of a DeliverySpec (a Trigger's spec replaces its Broker's as a whole, so pass the one that
    /// applies). Without a backoffPolicy the policy is exponential, Knative's documented default.
    /// </summary>
    public static RetryPolicy From(DeliverySpec? spec) =>
        spec is null
            ? None
            : new RetryPolicy(spec.Retry ?? 0, spec.BackoffPolicy ?? BackoffPolicy.Exponential, spec.BackoffDelay, spec.Timeout, spec.RetryAfterMax);

    /// <summary>
    /// Knative's SelectiveRetry: no response, 5xx, 404 (a pod still starting), 408, 409 and 429 are retried;
    /// other 4xx, 3xx and 1xx are final.
    /// </summary>
    public static bool IsRetryable(DeliveryAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return !attempt.Responded || IsRetryableStatus(attempt.StatusCode);
    }

    public static bool IsRetryableStatus(int statusCode) =>
        statusCode is >= 500 or 404 or 408 or 409 or 429;

    /// <summary>
    /// The wait before retry number <paramref name="retryIndex"/> (0 for the first retry), computed as Knative does
    /// from the 0-based index: linear <c>delay × index</c> (so the first retry is immediate), exponential
    /// <c>delay × 2^index</c>.
    /// </summary>
    public TimeSpan Backoff(int retryIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retryIndex);
        var factor = BackoffPolicy == BackoffPolicy.Linear ? retryIndex : Math.Pow(2, retryIndex);
        var ticks = BackoffDelay.Ticks * factor;
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The wait before retrying after <paramref name="failed"/>: the larger of the backoff and, for 429 and 503 when
    /// <see cref="RetryAfterMax"/> is set, the response's <c>Retry-After</c> (seconds or HTTP date) capped by it.
    /// </summary>
    public TimeSpan DelayBeforeRetry(int retryIndex, DeliveryAttempt failed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(failed);
        var backoff = Backoff(retryIndex);
        if (RetryAfterMax is not { } max || failed.StatusCode is not (429 or 503) || failed.RetryAfter is not { } retryAfter)
        {
            return backoff;
        }

        var requested = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : TimeSpan.Zero);
        requested = requested < TimeSpan.Zero ? TimeSpan.Zero : requested;
        requested = requested > max ? max : requested;
        return requested > backoff ? requested : backoff;
    }
}
