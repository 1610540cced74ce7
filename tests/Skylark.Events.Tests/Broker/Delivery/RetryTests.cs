using System.Globalization;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

public sealed class RetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);
    private TestSubscriber subscriber = null!;
    private TestSubscriber deadLetters = null!;

    public async Task InitializeAsync()
    {
        subscriber = await TestSubscriber.StartAsync();
        deadLetters = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        await deadLetters.DisposeAsync();
    }

    [Theory]
    [InlineData(BackoffPolicy.Linear, new[] { 10, 20 })]
    [InlineData(BackoffPolicy.Exponential, new[] { 10, 20, 40 })]
    public async Task A_failing_subscriber_gets_retry_plus_one_attempts_spaced_by_the_backoff_policy(BackoffPolicy policy, int[] expectedDelaysMs)
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(500));
        var clock = new RecordingTimeProvider();
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: TestEventing.Delivery(3, policy, Delay, deadLetters.Url))),
            timeProvider: clock);

        await broker.SendAsync(TestEvents.Create(id: "retried"));
        await deadLetters.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(4, subscriber.Count);
        Assert.All(subscriber.Received, r => Assert.Equal("retried", r.CloudEvent.Id));
        Assert.Equal(3, broker.Metrics.Retried);

        // Knative counts retries from 0: linear waits 0 (no timer), 10, 20 ms; exponential 10, 20, 40 ms.
        Assert.Equal(expectedDelaysMs, clock.Timers.Select(t => (int)t.TotalMilliseconds));
    }

    [Fact]
    public async Task A_subscriber_that_recovers_gets_the_event_once_more_and_no_dead_letter()
    {
        subscriber.RespondWith(r => r.Index == 0 ? SubscriberResponse.WithStatus(503) : SubscriberResponse.Ok);
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: TestEventing.Delivery(3, BackoffPolicy.Linear, Delay, deadLetters.Url))));

        await broker.SendAsync(TestEvents.Create());
        await broker.WaitUntilIdleAsync();

        Assert.Equal(2, subscriber.Count);
        Assert.Equal(0, deadLetters.Count);
        Assert.Equal(1, broker.Metrics.Delivered);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(413)]
    [InlineData(422)]
    [InlineData(301)]
    public async Task Other_client_errors_and_redirects_are_not_retried(int status)
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(status));
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: TestEventing.Delivery(3, BackoffPolicy.Linear, Delay, deadLetters.Url))));

        await broker.SendAsync(TestEvents.Create());
        await deadLetters.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, subscriber.Count);
        Assert.Equal(status.ToString(CultureInfo.InvariantCulture), deadLetters.Received[0].Extension("knativeerrorcode"));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Server_errors_and_the_retryable_client_errors_are_retried(int status)
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(status));
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: TestEventing.Delivery(2, deadLetterSink: deadLetters.Url))));

        await broker.SendAsync(TestEvents.Create());
        await deadLetters.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(3, subscriber.Count);
    }

    [Fact]
    public async Task Without_a_delivery_spec_there_is_one_attempt()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(500));
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)));

        await broker.SendAsync(TestEvents.Create());
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, subscriber.Count);
        Assert.Equal(1, broker.Metrics.Dropped);
    }

    [Fact]
    public async Task A_trigger_delivery_spec_replaces_the_brokers_as_a_whole()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(500));
        var brokerDeadLetters = await TestSubscriber.StartAsync();
        await using var _ = brokerDeadLetters;
        var model = TestEventing.Model(
            TestEventing.Broker(delivery: TestEventing.Delivery(5, deadLetterSink: brokerDeadLetters.Url)),
            TestEventing.Trigger("t", subscriber.Url, delivery: TestEventing.Delivery(1)));
        await using var broker = await BrokerHost.StartAsync(model);

        await broker.SendAsync(TestEvents.Create());
        await broker.WaitUntilIdleAsync();

        // retry 1 from the trigger; no dead letter sink, since the trigger's spec has none.
        Assert.Equal(2, subscriber.Count);
        Assert.Equal(0, brokerDeadLetters.Count);
        Assert.Equal(1, broker.Metrics.Dropped);
    }

    [Fact]
    public async Task A_trigger_without_delivery_spec_uses_the_brokers()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(500));
        var model = TestEventing.Model(
            TestEventing.Broker(delivery: TestEventing.Delivery(2, deadLetterSink: deadLetters.Url)),
            TestEventing.Trigger("t", subscriber.Url));
        await using var broker = await BrokerHost.StartAsync(model);

        await broker.SendAsync(TestEvents.Create());
        await deadLetters.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(3, subscriber.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Retry_after_is_honoured_up_to_retry_after_max(bool asHttpDate)
    {
        var retryAfter = asHttpDate ? DateTimeOffset.UtcNow.AddHours(1).ToString("R", CultureInfo.InvariantCulture) : "3600";
        subscriber.RespondWith(r => r.Index == 0
            ? SubscriberResponse.WithStatus(429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter } }
            : SubscriberResponse.Ok);
        var clock = new RecordingTimeProvider();
        var delivery = TestEventing.Delivery(1, BackoffPolicy.Exponential, TimeSpan.FromMilliseconds(1), retryAfterMax: TimeSpan.FromMilliseconds(30));
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: delivery)), timeProvider: clock);

        await broker.SendAsync(TestEvents.Create());
        await subscriber.WaitForAsync(2);
        await broker.WaitUntilIdleAsync();

        Assert.Equal([TimeSpan.FromMilliseconds(30)], clock.Timers);
    }

    [Fact]
    public async Task Retry_after_is_ignored_without_retry_after_max()
    {
        subscriber.RespondWith(r => r.Index == 0
            ? SubscriberResponse.WithStatus(503) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "3600" } }
            : SubscriberResponse.Ok);
        var clock = new RecordingTimeProvider();
        var delivery = TestEventing.Delivery(1, BackoffPolicy.Exponential, Delay);
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: delivery)), timeProvider: clock);

        await broker.SendAsync(TestEvents.Create());
        await subscriber.WaitForAsync(2);
        await broker.WaitUntilIdleAsync();

        Assert.Equal([Delay], clock.Timers);
    }

    [Fact]
    public async Task An_attempt_over_the_timeout_fails_and_is_retried()
    {
        using var never = new CancellationTokenSource();
        subscriber.RespondWith(r => r.Index == 0 ? SubscriberResponse.HeldUntil(Task.Delay(Timeout.Infinite, never.Token)) : SubscriberResponse.Ok);
        var delivery = TestEventing.Delivery(1, timeout: TimeSpan.FromMilliseconds(200), deadLetterSink: deadLetters.Url);
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url, delivery: delivery)));

        await broker.SendAsync(TestEvents.Create());
        await subscriber.WaitForAsync(2);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, broker.Metrics.Retried);
        Assert.Equal(1, broker.Metrics.Delivered);
        Assert.Equal(0, deadLetters.Count);
    }
}
