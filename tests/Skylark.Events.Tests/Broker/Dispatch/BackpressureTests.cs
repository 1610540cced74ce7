using System.Net;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Dispatch;

public sealed class BackpressureTests : IAsyncLifetime
{
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestSubscriber blocked = null!;
    private TestSubscriber free = null!;

    public async Task InitializeAsync()
    {
        blocked = await TestSubscriber.StartAsync(_ => SubscriberResponse.HeldUntil(release.Task));
        free = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        await blocked.DisposeAsync();
        await free.DisposeAsync();
    }

    [Fact]
    public async Task A_full_trigger_queue_answers_429_with_a_message_and_loses_nothing_it_accepted()
    {
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("slow", blocked.Url)),
            o => (o.QueueCapacity, o.WorkersPerTrigger) = (1, 1));

        await broker.SendAsync(TestEvents.Create(id: "in-flight"));
        await blocked.WaitForAsync(1);
        await broker.SendAsync(TestEvents.Create(id: "queued"));
        using var refused = await broker.PostAsync(TestEvents.Create(id: "refused"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("test/slow", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        release.SetResult();
        await broker.WaitUntilIdleAsync();
        Assert.Equal(["in-flight", "queued"], blocked.Received.Select(r => r.CloudEvent.Id));
        Assert.Equal(2, broker.Metrics.Delivered);
        Assert.Equal(1, broker.Metrics.Rejected);
    }

    [Fact]
    public async Task An_event_is_queued_for_all_matching_triggers_or_for_none()
    {
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("slow", blocked.Url, TestEventing.Type("slow")), TestEventing.Trigger("fast", free.Url)),
            o => (o.QueueCapacity, o.WorkersPerTrigger) = (1, 1));

        await broker.SendAsync(TestEvents.Create(type: "slow", id: "1"));
        await blocked.WaitForAsync(1);
        await free.WaitForAsync(1);
        await broker.SendAsync(TestEvents.Create(type: "slow", id: "2"));
        await free.WaitForAsync(2);

        // "slow" now has 1 in flight and 1 waiting (full); "fast" has nothing waiting.
        using var refused = await broker.PostAsync(TestEvents.Create(type: "slow", id: "3"));
        await broker.SendAsync(TestEvents.Create(type: "other", id: "4"));

        Assert.Contains("test/slow", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        release.SetResult();
        await broker.WaitUntilIdleAsync();
        Assert.Equal(["1", "2", "4"], free.Received.Select(r => r.CloudEvent.Id).Order());
        Assert.Equal(["1", "2"], blocked.Received.Select(r => r.CloudEvent.Id));
    }
}
