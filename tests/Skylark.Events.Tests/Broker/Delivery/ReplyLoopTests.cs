using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

public sealed class ReplyLoopTests : IAsyncLifetime
{
    private TestSubscriber echo = null!;
    private TestSubscriber deadLetters = null!;

    public async Task InitializeAsync()
    {
        // Answers every event with the very same event: an infinite loop without the broker TTL.
        echo = await TestSubscriber.StartAsync(r => SubscriberResponse.Replying(Copy(r.CloudEvent)));
        deadLetters = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await echo.DisposeAsync();
        await deadLetters.DisposeAsync();
    }

    [Fact]
    public async Task A_subscriber_replying_with_the_same_event_is_cut_off_by_the_ttl()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("echo", echo.Url, delivery: TestEventing.Delivery(deadLetterSink: deadLetters.Url))));
        var looping = TestEvents.Create(id: "loop");
        looping[BrokerTtl.ExtensionName] = "4";

        await broker.SendAsync(looping);
        await deadLetters.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        // The ingress leaves 3, then each reply re-enters with one less: 3, 2, 1 are delivered, 0 is refused.
        Assert.Equal(3, echo.Count);
        var dead = Assert.Single(deadLetters.Received);
        Assert.Equal("loop", dead.CloudEvent.Id);
        Assert.Equal("400", dead.Extension(DeadLetterAttributes.Code));
        Assert.Equal(broker.BrokerUrl().AbsoluteUri, dead.Extension(DeadLetterAttributes.Destination));
    }

    [Fact]
    public async Task Without_a_ttl_an_event_may_loop_through_the_broker_255_times()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("echo", echo.Url)));

        await broker.SendAsync(TestEvents.Create(id: "loop"));
        await echo.WaitForAsync(BrokerTtl.Default);
        await broker.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BrokerTtl.Default, echo.Count);
        Assert.Equal(1, broker.Metrics.Dropped);
        Assert.Contains(broker.Logs.Entries, e => e.Level == LogLevel.Error && Equals(e.Values["EventId"], "loop"));
    }

    private static CloudEvent Copy(CloudEvent source)
    {
        var copy = new CloudEvent(source.SpecVersion);
        foreach (var (attribute, value) in source.GetPopulatedAttributes())
        {
            copy[attribute] = value;
        }

        copy.Data = source.Data;
        return copy;
    }
}
