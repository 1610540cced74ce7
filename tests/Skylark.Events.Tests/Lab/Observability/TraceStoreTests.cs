using System.Diagnostics;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Tests.Lab.Observability;

public sealed class TraceStoreTests
{
    [Fact]
    public void The_oldest_traces_are_dropped_beyond_the_capacity()
    {
        using var store = new TraceStore(capacity: 2, sampler: new TraceSampler(newTracesPerSecond: null));
        using var source = CloudEventTracing.CreateSource("TraceStoreTests");
        foreach (var workflow in new[] { "wf-a", "wf-b", "wf-c" })
        {
            // Each a root of its own trace.
            var ambient = Activity.Current;
            Activity.Current = null;
            using (var span = source.StartActivity("root"))
            {
                span!.SetTag(CloudEventTracing.WorkflowIdTag, workflow);
            }

            Activity.Current = ambient;
        }

        Assert.Null(store.Find("wf-a"));
        Assert.NotNull(store.Find("wf-b"));
        Assert.NotNull(store.Find("wf-c"));
        Assert.Equal(["wf-b", "wf-c"], store.Workflows());
    }

    [Fact]
    public void Only_spans_the_sampler_recorded_are_kept()
    {
        using var store = new TraceStore();
        using var source = CloudEventTracing.CreateSource("TraceStoreTests");
        foreach (var (workflow, traceParent) in new[]
        {
            ("wf-sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("wf-not-sampled", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
        })
        {
            // Whatever the rate, a span follows its parent's sampled flag.
            using var span = source.StartActivity("continued", ActivityKind.Consumer, ActivityContext.Parse(traceParent, null));
            Assert.NotNull(span);
            span.SetTag(CloudEventTracing.WorkflowIdTag, workflow);
        }

        Assert.NotNull(store.Find("wf-sampled"));
        Assert.Null(store.Find("wf-not-sampled"));
    }
}
