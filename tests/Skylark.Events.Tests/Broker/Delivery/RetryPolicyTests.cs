using System.Net.Http.Headers;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Broker.Delivery;

public class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Linear_backoff_is_the_delay_times_the_zero_based_retry_index()
    {
        var policy = new RetryPolicy(4, BackoffPolicy.Linear, TimeSpan.FromSeconds(1), null, null);

        Assert.Equal([0, 1, 2, 3], Enumerable.Range(0, 4).Select(i => policy.Backoff(i).TotalSeconds));
    }

    [Fact]
    public void Exponential_backoff_doubles_from_the_delay()
    {
        var policy = new RetryPolicy(4, BackoffPolicy.Exponential, TimeSpan.FromMilliseconds(500), null, null);

        Assert.Equal([0.5, 1, 2, 4], Enumerable.Range(0, 4).Select(i => policy.Backoff(i).TotalSeconds));
    }

    [Fact]
    public void Exponential_backoff_saturates_instead_of_overflowing()
    {
        var policy = new RetryPolicy(100, BackoffPolicy.Exponential, TimeSpan.FromDays(1), null, null);

        Assert.Equal(TimeSpan.MaxValue, policy.Backoff(99));
    }

    [Fact]
    public void A_spec_without_policy_is_exponential_and_without_delay_retries_at_once()
    {
        var policy = RetryPolicy.From(new DeliverySpec(null, 3, null, null, null, null));

        Assert.Equal(3, policy.Retry);
        Assert.Equal(BackoffPolicy.Exponential, policy.BackoffPolicy);
        Assert.Equal(TimeSpan.Zero, policy.Backoff(2));
    }

    [Fact]
    public void No_spec_means_a_single_attempt()
    {
        Assert.Equal(0, RetryPolicy.From(null).Retry);
        Assert.Null(RetryPolicy.From(null).Timeout);
    }

    [Theory]
    [InlineData(404, true)]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(599, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(410, false)]
    [InlineData(422, false)]
    [InlineData(302, false)]
    public void Only_knatives_selective_statuses_are_retried(int status, bool retried)
    {
        Assert.Equal(retried, RetryPolicy.IsRetryable(DeliveryAttempt.FailedResponse(status, ReadOnlyMemory<byte>.Empty, null, "x")));
    }

    [Fact]
    public void A_missing_response_is_retried()
    {
        Assert.True(RetryPolicy.IsRetryable(DeliveryAttempt.NoResponse("connection refused")));
    }

    [Fact]
    public void Retry_after_seconds_count_when_larger_than_the_backoff_and_are_capped()
    {
        var policy = new RetryPolicy(3, BackoffPolicy.Linear, TimeSpan.FromSeconds(1), null, TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(5), policy.DelayBeforeRetry(0, TooMany(new RetryConditionHeaderValue(TimeSpan.FromSeconds(5))), Now));
        Assert.Equal(TimeSpan.FromSeconds(10), policy.DelayBeforeRetry(0, TooMany(new RetryConditionHeaderValue(TimeSpan.FromHours(1))), Now));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.DelayBeforeRetry(2, TooMany(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))), Now));
    }

    [Fact]
    public void Retry_after_as_an_http_date_counts_from_now()
    {
        var policy = new RetryPolicy(1, BackoffPolicy.Linear, null, null, TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayBeforeRetry(0, TooMany(new RetryConditionHeaderValue(Now.AddSeconds(30))), Now));
        Assert.Equal(TimeSpan.Zero, policy.DelayBeforeRetry(0, TooMany(new RetryConditionHeaderValue(Now.AddSeconds(-30))), Now));
    }

    [Fact]
    public void Retry_after_is_ignored_without_retry_after_max_and_for_other_statuses()
    {
        var header = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
        var ignoring = new RetryPolicy(1, BackoffPolicy.Linear, null, null, null);
        var honouring = new RetryPolicy(1, BackoffPolicy.Linear, null, null, TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.Zero, ignoring.DelayBeforeRetry(0, TooMany(header), Now));
        Assert.Equal(TimeSpan.Zero, honouring.DelayBeforeRetry(0, DeliveryAttempt.FailedResponse(500, ReadOnlyMemory<byte>.Empty, header, "x"), Now));
        Assert.Equal(TimeSpan.FromSeconds(30), honouring.DelayBeforeRetry(0, DeliveryAttempt.FailedResponse(503, ReadOnlyMemory<byte>.Empty, header, "x"), Now));
    }

    [Fact]
    public void A_zero_retry_after_max_disables_retry_after()
    {
        var policy = new RetryPolicy(1, BackoffPolicy.Linear, null, null, TimeSpan.Zero);

        Assert.Equal(TimeSpan.Zero, policy.DelayBeforeRetry(0, TooMany(new RetryConditionHeaderValue(TimeSpan.FromSeconds(30))), Now));
    }

    [Fact]
    public void Invalid_values_are_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(-1, BackoffPolicy.Linear, null, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, BackoffPolicy.Linear, TimeSpan.FromSeconds(-1), null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, BackoffPolicy.Linear, null, TimeSpan.Zero, null));
    }

    private static DeliveryAttempt TooMany(RetryConditionHeaderValue retryAfter) =>
        DeliveryAttempt.FailedResponse(429, ReadOnlyMemory<byte>.Empty, retryAfter, "too many");
}
