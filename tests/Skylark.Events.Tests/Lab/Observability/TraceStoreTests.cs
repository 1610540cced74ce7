using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Observability;

[Collection(SpanSampling.Name)]
public sealed class TraceStoreTests
{
    [Fact]
    public void The_oldest_traces_are_dropped_beyond_the_capacity()
    {
        using var store = new TraceStore(capacity: 2, sampler: new TraceSampler(newTracesPerSecond: null));
        using var source = CloudEventTracing.CreateSource("TraceStoreTests");
        foreach (var workflow in new[] { "wf-a", "wf-b", "wf-c" })
        {
            using var span = RootSpans.Start(source);
            span!.SetTag(CloudEventTracing.WorkflowIdTag, workflow);
        }

        Assert.Null(store.Find("wf-a"));
        Assert.NotNull(store.Find("wf-b"));
        Assert.NotNull(store.Find("wf-c"));
        Assert.Equal(["wf-b", "wf-c"], store.Workflows());
    }

    [Fact]
    public void A_new_trace_beyond_the_samplers_rate_is_not_kept()
    {
        using var store = new TraceStore(sampler: new TraceSampler(newTracesPerSecond: 1, new FakeTimeProvider()));
        using var source = CloudEventTracing.CreateSource("TraceStoreTests");

        var first = Root(source, "wf-first");
        var second = Root(source, "wf-second");

        Assert.True(first.Recorded);
        Assert.False(second.Recorded, "the clock stands still, so the bucket holds one trace");
        Assert.NotNull(store.Find("wf-first"));
        Assert.Null(store.Find("wf-second"));
        Assert.Equal(1, store.Sampler.NotSampled);
    }

    private static Activity Root(ActivitySource source, string workflow)
    {
        var span = RootSpans.Start(source);
        Assert.NotNull(span);
        span.SetTag(CloudEventTracing.WorkflowIdTag, workflow);
        span.Stop();
        return span;
    }
}
