using System.Text.Json;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Dispatch;

/// <summary>
/// A Trigger's <c>waiting</c> (in <c>GET /status</c> and the <c>skylark.broker.waiting</c> gauge) is every event its
/// subscriber has not yet taken: those queued plus those a worker holds, being sent or backing off between retries.
/// </summary>
public sealed class WaitingTests : IAsyncLifetime
{
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestSubscriber slow = null!;
    private TestSubscriber failing = null!;

    public async Task InitializeAsync()
    {
        slow = await TestSubscriber.StartAsync(_ => SubscriberResponse.HeldUntil(release.Task));
        failing = await TestSubscriber.StartAsync(_ => SubscriberResponse.WithStatus(503));
    }

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        await slow.DisposeAsync();
        await failing.DisposeAsync();
    }

    private static async Task<JsonElement> TriggerStatusAsync(BrokerHost broker)
    {
        using var status = JsonDocument.Parse(await broker.Client.GetStringAsync(new Uri("/status", UriKind.Relative)));
        return status.RootElement.GetProperty("triggers")[0].Clone();
    }

    private static (int Waiting, int Queued, int InFlight) Counts(JsonElement trigger) =>
        (trigger.GetProperty("waiting").GetInt32(), trigger.GetProperty("queued").GetInt32(), trigger.GetProperty("inFlight").GetInt32());

    [Fact]
    public async Task While_a_subscriber_is_slow_waiting_is_the_queued_events_plus_those_being_delivered()
    {
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("slow", slow.Url)),
            o => (o.QueueCapacity, o.WorkersPerTrigger) = (10, 2));

        for (var i = 0; i < 5; i++)
        {
            await broker.SendAsync(TestEvents.Create(id: $"e{i}"));
        }

        await slow.WaitForAsync(2);
        var held = Counts(await TriggerStatusAsync(broker));
        var metrics = await broker.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        release.SetResult();
        await broker.WaitUntilIdleAsync();
        var idle = Counts(await TriggerStatusAsync(broker));

        Assert.Equal((5, 3, 2), held);
        Assert.Contains(
            "skylark_broker_waiting{otel_scope_name=\"Skylark.Events.Broker\",kn_broker_name=\"default\",kn_broker_namespace=\"test\",kn_trigger_name=\"slow\"} 5",
            metrics,
            StringComparison.Ordinal);
        Assert.Equal((0, 0, 0), idle);
    }

    [Fact]
    public async Task A_delivery_backing_off_between_retries_is_still_waiting()
    {
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger(
                "failing", failing.Url, delivery: TestEventing.Delivery(retry: 1, BackoffPolicy.Exponential, TimeSpan.FromSeconds(30)))),
            o => (o.WorkersPerTrigger, o.ShutdownDrainTimeout) = (1, TimeSpan.FromMilliseconds(100)));

        await broker.SendAsync(TestEvents.Create(id: "backing-off"));
        await failing.WaitForAsync(1);

        // The first attempt was answered 503; the retry is 30 s away (exponential: delay × 2^0; a linear first retry
        // would be immediate, as in Knative).
        await Poll.UntilAsync(
            async () => Counts(await TriggerStatusAsync(broker)) == (1, 0, 1) && broker.Metrics.Retried == 1,
            "the failed delivery is held in flight while it backs off");
        Assert.Equal((1, 0L), (failing.Received.Count, broker.Metrics.Delivered));
    }
}
