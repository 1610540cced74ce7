using System.Diagnostics;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Contracts;

public sealed class CloudEventTracingTests
{
    [Fact]
    public void Without_a_listener_no_span_is_started_and_the_events_context_is_left_as_it_is()
    {
        using var unheard = new ActivitySource("Unheard.CloudEventTracingTests");
        var cloudEvent = TestEvents.Create();
        cloudEvent[CloudEventTracing.TraceParent] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        var activity = CloudEventTracing.StartActivity(unheard, "nobody listens", ActivityKind.Consumer, cloudEvent, "edge");
        CloudEventTracing.SetContext(cloudEvent, activity);

        Assert.Null(activity);
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", cloudEvent[CloudEventTracing.TraceParent]);
    }

    [Fact]
    public void A_malformed_traceparent_is_no_context()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent[CloudEventTracing.TraceParent] = "00-not-a-trace-01";

        Assert.False(CloudEventTracing.TryGetContext(cloudEvent, out _));
    }

    [Fact]
    public void A_span_continues_the_events_context_and_writes_its_own_with_the_tracestate()
    {
        using var store = new TraceStore(sampler: new TraceSampler(newTracesPerSecond: null));
        using var source = CloudEventTracing.CreateSource("CloudEventTracingTests");
        var cloudEvent = TestEvents.Create();
        cloudEvent[CloudEventTracing.TraceParent] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        cloudEvent[CloudEventTracing.TraceState] = "vendor=1";
        cloudEvent[ExtensionNames.WorkflowId] = "wf-continued";

        using (var activity = CloudEventTracing.StartActivity(source, "continue", ActivityKind.Consumer, cloudEvent, "edge"))
        {
            var reply = TestEvents.Create();
            CloudEventTracing.SetContext(reply, activity);

            Assert.NotNull(activity);
            Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", activity.TraceId.ToHexString());
            Assert.Equal("00f067aa0ba902b7", activity.ParentSpanId.ToHexString());
            Assert.Equal(activity.Id, reply[CloudEventTracing.TraceParent]);
            Assert.Equal("vendor=1", reply[CloudEventTracing.TraceState]);
        }

        var span = Assert.Single(store.Find("wf-continued")!.Spans);
        Assert.Equal("edge", span.Node);
        Assert.Equal("CloudEventTracingTests", span.Service);
    }
}
