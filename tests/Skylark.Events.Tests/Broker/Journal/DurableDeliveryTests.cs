using System.Net;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

public sealed class DurableDeliveryTests : IAsyncLifetime
{
    private readonly JournalFolder folder = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestSubscriber subscriber = null!;
    private TestSubscriber stuck = null!;

    public async Task InitializeAsync()
    {
        subscriber = await TestSubscriber.StartAsync();

        // Never answers while the test runs: its deliveries are still in flight when the broker stops.
        stuck = await TestSubscriber.StartAsync(_ => SubscriberResponse.HeldUntil(never.Task));
    }

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        never.TrySetResult();
        await subscriber.DisposeAsync();
        await stuck.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task An_event_answered_202_is_already_in_the_journal()
    {
        await using var broker = await StartAsync(subscriber.Url);

        await broker.SendAsync(TestEvents.Create(id: "durable"));

        var recorded = Assert.Single(JournalReader.ReadEvents(folder.Path));
        Assert.Equal(("durable", "test/default"), (recorded.ToCloudEvent().Id, recorded.Broker));
        Assert.Equal(["test/t"], recorded.Triggers);
        Assert.NotNull(recorded.ToCloudEvent()["knativearrivaltime"]);
    }

    [Fact]
    public async Task Events_not_delivered_before_a_shutdown_are_delivered_after_a_restart_on_the_same_journal()
    {
        await using (var down = await StartAsync(stuck.Url, o => o.ShutdownDrainTimeout = TimeSpan.Zero))
        {
            await down.SendAsync(TestEvents.Create(id: "one"));
            await down.SendAsync(TestEvents.Create(id: "two"));
            await stuck.WaitForAsync(2);
        }

        await using var up = await StartAsync(subscriber.Url);
        await subscriber.WaitForAsync(2);
        await up.WaitUntilIdleAsync();

        Assert.Equal(["one", "two"], subscriber.Received.Select(r => r.CloudEvent.Id).Order());
        Assert.Equal(2, up.Metrics.Delivered);
    }

    [Fact]
    public async Task Events_delivered_before_a_clean_shutdown_are_not_delivered_again()
    {
        await using (var first = await StartAsync(subscriber.Url))
        {
            await first.SendAsync(TestEvents.Create(id: "once"));
            await subscriber.WaitForAsync(1);
            await first.WaitUntilIdleAsync();
        }

        await using var second = await StartAsync(subscriber.Url);
        await second.SendAsync(TestEvents.Create(id: "next"));
        await subscriber.WaitForAsync(2);
        await second.WaitUntilIdleAsync();

        Assert.Equal(["once", "next"], subscriber.Received.Select(r => r.CloudEvent.Id));
    }

    [Fact]
    public async Task A_dead_lettered_event_is_final_and_not_delivered_again_after_a_restart()
    {
        await using var sink = await TestSubscriber.StartAsync();
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(400, "no"));
        var delivery = TestEventing.Delivery(retry: 0, deadLetterSink: sink.Url);
        await using (var first = await StartAsync(subscriber.Url, delivery: delivery))
        {
            await first.SendAsync(TestEvents.Create(id: "refused"));
            await sink.WaitForAsync(1);
            await first.WaitUntilIdleAsync();
        }

        await using var second = await StartAsync(subscriber.Url, delivery: delivery);
        await second.WaitUntilIdleAsync();

        Assert.Equal(0, second.Services.GetRequiredService<EventJournal>().Recovery!.PendingDeliveries);
        Assert.Single(subscriber.Received);
        Assert.Single(sink.Received);
    }

    [Fact]
    public async Task A_reply_accepted_before_a_shutdown_is_delivered_after_the_restart()
    {
        await using var replies = await TestSubscriber.StartAsync();
        subscriber.RespondWith(r => SubscriberResponse.Replying(TestEvents.Create(type: "reply", id: "reply-to-" + r.CloudEvent.Id)));
        var model = TestEventing.Model(
            TestEventing.Trigger("t", subscriber.Url, TestEventing.Type("io.skylark.test")),
            TestEventing.Trigger("r", stuck.Url, TestEventing.Type("reply")));
        await using (var first = await BrokerHost.StartAsync(model, o => (o.Journal, o.ShutdownDrainTimeout) = (folder.Options(), TimeSpan.Zero)))
        {
            await first.SendAsync(TestEvents.Create(id: "question"));
            await stuck.WaitForAsync(1);
        }

        var restarted = TestEventing.Model(
            TestEventing.Trigger("t", subscriber.Url, TestEventing.Type("io.skylark.test")),
            TestEventing.Trigger("r", replies.Url, TestEventing.Type("reply")));
        await using var second = await BrokerHost.StartAsync(restarted, o => o.Journal = folder.Options());
        await replies.WaitForAsync(1);

        Assert.Equal("reply-to-question", replies.Received[0].CloudEvent.Id);
    }

    [Fact]
    public async Task Producers_get_503_until_the_owed_deliveries_are_queued_again_then_202()
    {
        await using (var down = await StartAsync(stuck.Url, o => o.ShutdownDrainTimeout = TimeSpan.Zero))
        {
            for (var i = 0; i < 4; i++)
            {
                await down.SendAsync(TestEvents.Create(id: $"owed-{i}"));
            }

            await stuck.WaitForAsync(4);
        }

        // One held by the subscriber, one waiting in the queue (capacity 1): recovery cannot queue the rest yet.
        subscriber.RespondWith(_ => SubscriberResponse.HeldUntil(release.Task));
        await using var up = await StartAsync(subscriber.Url, o => (o.QueueCapacity, o.WorkersPerTrigger) = (1, 1));
        await subscriber.WaitForAsync(1);
        using var refused = await up.PostAsync(TestEvents.Create(id: "new"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("journal", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        subscriber.RespondWith(_ => SubscriberResponse.Ok);
        release.SetResult();
        await up.Services.GetRequiredService<EventJournal>().Recovered.WaitAsync(TimeSpan.FromSeconds(10));
        await up.WaitUntilIdleAsync();
        await up.SendAsync(TestEvents.Create(id: "new"));
        await subscriber.WaitForAsync(5);

        Assert.Equal(["owed-0", "owed-1", "owed-2", "owed-3", "new"], subscriber.Received.Select(r => r.CloudEvent.Id));
    }

    [Fact]
    public async Task A_torn_tail_left_by_a_crash_mid_append_does_not_stop_the_restart_from_delivering_what_came_before()
    {
        await using (var down = await StartAsync(stuck.Url, o => o.ShutdownDrainTimeout = TimeSpan.Zero))
        {
            await down.SendAsync(TestEvents.Create(id: "kept"));
            await stuck.WaitForAsync(1);
        }

        // What a crash between write() and fsync() can leave: the start of a record that never completed.
        await using (var segment = new FileStream(Assert.Single(folder.Segments), FileMode.Append))
        {
            await segment.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9 });
        }

        await using var up = await StartAsync(subscriber.Url);
        await subscriber.WaitForAsync(1);
        await up.WaitUntilIdleAsync();

        Assert.Equal(["kept"], subscriber.Received.Select(r => r.CloudEvent.Id));
        Assert.Equal(1, up.Services.GetRequiredService<EventJournal>().Recovery!.TornTails);
        Assert.Contains(up.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("torn tail", StringComparison.Ordinal));
    }

    private Task<BrokerHost> StartAsync(Uri subscriberUrl, Action<Skylark.Events.Broker.BrokerOptions>? configure = null, Skylark.Events.Eventing.Resources.DeliverySpec? delivery = null) =>
        BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriberUrl, delivery: delivery)), o =>
        {
            o.Journal = folder.Options();
            configure?.Invoke(o);
        });
}
