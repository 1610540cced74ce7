using CloudNative.CloudEvents;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Dispatch;

public sealed class RoutingTests : IAsyncLifetime
{
    private TestSubscriber first = null!;
    private TestSubscriber second = null!;

    public async Task InitializeAsync()
    {
        first = await TestSubscriber.StartAsync();
        second = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_trigger_without_filter_receives_every_event()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", first.Url)));

        await broker.SendAsync(TestEvents.Create(type: "a"));
        await broker.SendAsync(TestEvents.Create(type: "b"));

        var received = await first.WaitForAsync(2);
        Assert.Equal(["a", "b"], received.Select(r => r.CloudEvent.Type).Order());
    }

    [Fact]
    public async Task A_trigger_whose_filter_does_not_match_receives_nothing()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("only-x", first.Url, TestEventing.Type("x"))));

        await broker.SendAsync(TestEvents.Create(type: "y"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(0, first.Count);
        Assert.Equal(1, broker.Metrics.Accepted);
    }

    [Fact]
    public async Task Two_matching_triggers_each_receive_the_event_exactly_once()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("one", first.Url, TestEventing.Type("x")),
            TestEventing.Trigger("two", second.Url)));

        await broker.SendAsync(TestEvents.Create(type: "x", id: "e-1"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal("e-1", Assert.Single(first.Received).CloudEvent.Id);
        Assert.Equal("e-1", Assert.Single(second.Received).CloudEvent.Id);
    }

    [Fact]
    public async Task Only_the_matching_one_of_two_triggers_receives_the_event()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("x", first.Url, TestEventing.Type("x")),
            TestEventing.Trigger("y", second.Url, TestEventing.Type("y"))));

        await broker.SendAsync(TestEvents.Create(type: "y", id: "only-y"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(0, first.Count);
        Assert.Equal("only-y", Assert.Single(second.Received).CloudEvent.Id);
    }

    [Fact]
    public async Task Triggers_of_another_broker_receive_nothing()
    {
        await using var broker = await BrokerHost.StartAsync(new Skylark.Events.Eventing.Resources.EventingModel(
            [TestEventing.Broker(), TestEventing.Broker("other")],
            [TestEventing.Trigger("here", first.Url), TestEventing.Trigger("there", second.Url, broker: "other")],
            []));

        await broker.SendAsync(TestEvents.Create());
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, first.Count);
        Assert.Equal(0, second.Count);
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public async Task A_reply_from_trigger_one_reaches_trigger_two(ContentMode replyMode)
    {
        var reply = new CloudEvent
        {
            Id = "reply-1",
            Type = "order.processed",
            Source = new Uri("/processor", UriKind.Relative),
            DataContentType = "text/plain",
            Data = "done",
        };
        reply["workflowid"] = "wf-9";
        first.RespondWith(_ => SubscriberResponse.Replying(reply, replyMode));
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("created", first.Url, TestEventing.Type("order.created")),
            TestEventing.Trigger("processed", second.Url, TestEventing.Type("order.processed"))));

        await broker.SendAsync(TestEvents.Create(type: "order.created", id: "order-1"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal("order-1", Assert.Single(first.Received).CloudEvent.Id);
        var answered = Assert.Single(second.Received);
        Assert.Equal("reply-1", answered.CloudEvent.Id);
        Assert.Equal("wf-9", answered.Extension("workflowid"));
        Assert.Equal("done", TestEvents.DataText(answered.CloudEvent));
        Assert.NotNull(answered.Extension(ArrivalTime.ExtensionName));
        Assert.Null(answered.Extension(BrokerTtl.ExtensionName));
        Assert.Equal(1, broker.Metrics.Replies);
    }

    [Fact]
    public async Task A_reply_is_routed_to_every_matching_trigger_including_the_one_that_produced_it()
    {
        var reply = new CloudEvent { Id = "reply", Type = "echo", Source = new Uri("/echo", UriKind.Relative) };
        first.RespondWith(r => r.CloudEvent.Type == "start" ? SubscriberResponse.Replying(reply) : SubscriberResponse.Ok);
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("any", first.Url),
            TestEventing.Trigger("echoes", second.Url, TestEventing.Type("echo"))));

        await broker.SendAsync(TestEvents.Create(type: "start"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(["echo", "start"], first.Received.Select(r => r.CloudEvent.Type).Order());
        Assert.Equal("reply", Assert.Single(second.Received).CloudEvent.Id);
    }
}
