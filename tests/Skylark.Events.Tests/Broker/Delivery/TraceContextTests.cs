using System.Diagnostics;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

/// <summary>The broker continues an event's W3C trace context: the delivered event carries the delivery's span.</summary>
public sealed class TraceContextTests : IAsyncLifetime
{
    // Every trace: a store's rate is shared with every span other tests start while it listens.
    private readonly TraceStore traces = new(sampler: new TraceSampler(newTracesPerSecond: null));
    private TestSubscriber subscriber = null!;

    public async Task InitializeAsync() => subscriber = await TestSubscriber.StartAsync();

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        traces.Dispose();
    }

    [Fact]
    public async Task An_event_with_a_traceparent_is_delivered_in_the_same_trace_under_the_brokers_span()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("sub", subscriber.Url)));
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var sent = TestEvents.Create(id: "traced");
        sent[CloudEventTracing.TraceParent] = $"00-{traceId.ToHexString()}-{parent.ToHexString()}-01";
        sent[ExtensionNames.WorkflowId] = "wf-traced";

        await broker.SendAsync(sent);
        var delivered = Assert.Single(await subscriber.WaitForAsync(1));

        Assert.True(CloudEventTracing.TryGetContext(delivered.CloudEvent, out var context), delivered.Extension(CloudEventTracing.TraceParent));
        Assert.Equal(traceId, context.TraceId);
        Assert.NotEqual(parent, context.SpanId);
        Assert.Equal($"00-{traceId.ToHexString()}-{context.SpanId.ToHexString()}-01", delivered.Header("ce-traceparent"));

        // receive (child of the sender's span) → process → send, whose span the delivered event names.
        await Poll.UntilAsync(() => traces.Find("wf-traced")?.Spans.Count >= 3, "the broker's spans are kept");
        var spans = traces.Find("wf-traced")!.Spans;
        var receive = Assert.Single(spans, s => s.Attributes[CloudEventTracing.MessagingOperationTag] == "receive");
        var process = Assert.Single(spans, s => s.Attributes[CloudEventTracing.MessagingOperationTag] == "process");
        var send = Assert.Single(spans, s => s.Attributes[CloudEventTracing.MessagingOperationTag] == "send");
        Assert.Equal(parent.ToHexString(), receive.ParentSpanId);
        Assert.Equal(receive.SpanId, process.ParentSpanId);
        Assert.Equal(process.SpanId, send.ParentSpanId);
        Assert.Equal(["default receive", "sub process", "sub send"], new[] { receive.Name, process.Name, send.Name });
        Assert.Equal(context.SpanId.ToHexString(), send.SpanId);
        Assert.Equal("knative", send.Attributes[CloudEventTracing.MessagingSystemTag]);
        Assert.Equal("sub", send.Attributes[CloudEventTracing.MessagingDestinationTag]);
        Assert.Equal("traced", send.Attributes[CloudEventTracing.EventIdTag]);
        Assert.Equal("200", send.Attributes[CloudEventTracing.HttpStatusTag]);
        Assert.Equal("default", receive.Attributes[CloudEventTracing.MessagingDestinationTag]);
        Assert.All(spans, s => Assert.Equal("wf-traced", s.Attributes[CloudEventTracing.WorkflowIdTag]));
    }

    [Fact]
    public async Task An_event_without_a_traceparent_starts_a_new_trace()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("sub", subscriber.Url)));
        var sent = TestEvents.Create(id: "untraced");
        sent[ExtensionNames.WorkflowId] = "wf-untraced";

        await broker.SendAsync(sent);
        var delivered = Assert.Single(await subscriber.WaitForAsync(1));

        Assert.True(CloudEventTracing.TryGetContext(delivered.CloudEvent, out var context));
        await Poll.UntilAsync(() => traces.Find("wf-untraced")?.Spans.Count >= 3, "the broker's spans are kept");
        var trace = traces.Find("wf-untraced")!;
        Assert.Equal(context.TraceId.ToHexString(), trace.TraceId);
        var root = Assert.Single(trace.Spans, s => s.ParentSpanId is null);
        Assert.Equal("receive", root.Attributes[CloudEventTracing.MessagingOperationTag]);
    }

    [Fact]
    public async Task An_event_whose_trace_is_not_sampled_is_delivered_with_the_context_flagged_so_and_no_span_is_kept()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("sub", subscriber.Url)));
        var traceId = ActivityTraceId.CreateRandom();
        var sent = TestEvents.Create(id: "not-sampled");
        sent[CloudEventTracing.TraceParent] = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
        sent[ExtensionNames.WorkflowId] = "wf-not-sampled";

        await broker.SendAsync(sent);
        var delivered = Assert.Single(await subscriber.WaitForAsync(1));

        Assert.True(CloudEventTracing.TryGetContext(delivered.CloudEvent, out var context));
        Assert.Equal(traceId, context.TraceId);
        Assert.False(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded), delivered.Extension(CloudEventTracing.TraceParent));
        Assert.Null(traces.Find("wf-not-sampled"));
    }

    [Fact]
    public async Task A_reply_in_a_trace_not_sampled_stays_in_it_and_starts_no_trace_of_its_own()
    {
        await using var answered = await TestSubscriber.StartAsync();
        var reply = TestEvents.Create(type: "reply", id: "reply-not-sampled");
        reply[ExtensionNames.WorkflowId] = "wf-reply-not-sampled";
        subscriber.RespondWith(_ => SubscriberResponse.Replying(reply));
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("sub", subscriber.Url, TestEventing.Type("io.skylark.test")),
            TestEventing.Trigger("answered", answered.Url, TestEventing.Type("reply"))));
        var traceId = ActivityTraceId.CreateRandom();
        var sent = TestEvents.Create(id: "asks");
        sent[CloudEventTracing.TraceParent] = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
        sent[ExtensionNames.WorkflowId] = "wf-reply-not-sampled";

        await broker.SendAsync(sent);
        var delivered = Assert.Single(await answered.WaitForAsync(1));
        await broker.WaitUntilIdleAsync();

        // The subscriber's reply set no context: it is given the one of the event it answers, flag and all.
        Assert.True(CloudEventTracing.TryGetContext(delivered.CloudEvent, out var context));
        Assert.Equal(traceId, context.TraceId);
        Assert.False(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        Assert.Null(traces.Find("wf-reply-not-sampled"));
    }
}
