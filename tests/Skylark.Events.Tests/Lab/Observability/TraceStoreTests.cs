using System.Diagnostics;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Tests.Lab.Observability;

public sealed class TraceStoreTests
{
    [Fact]
    public void The_oldest_traces_are_dropped_beyond_the_capacity()
    {
        using var store = new TraceStore(capacity: 2);
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
}
