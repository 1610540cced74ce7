using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Dashboard;

/// <summary>What the dashboard makes of the observer's events, without a cluster or a browser.</summary>
public sealed class DashboardFeedTests
{
    private static readonly DateTimeOffset Captured = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static WorkflowObserver Observer() => new(
        DemoRun.FunctionTriggers(ResourceLoader.Load([RepositoryPaths.InRoot("eventing")])),
        (_, _) => null,
        new DetectionScorer(640, 480, 320, 240));

    [Fact]
    public async Task Without_a_trace_store_a_workflows_trace_is_what_the_observer_saw_in_the_trace_apis_shape()
    {
        var observer = Observer();
        var feed = new DashboardFeed(observer);
        var traces = new ObservedWorkflowTraces(feed);

        observer.Observe(Frame("wf-1"));
        observer.Observe(Reply("wf-1", "preprocess", "edge", Captured.AddMilliseconds(40), 30));
        observer.Observe(Reply("wf-1", "detect", "sat", Captured.AddMilliseconds(90), 20, detected: "false"));
        var trace = await traces.FindAsync("wf-1", CancellationToken.None);

        Assert.NotNull(trace);
        Assert.Equal(Captured, trace.Spans[0].Start);
        Assert.Equal(["workflow", "preprocess", "read frame", "detect", "read frame"], trace.Spans.Select(s => s.Name));
        var root = trace.Spans[0];
        Assert.Null(root.ParentSpanId);
        Assert.Equal(90, root.DurationMs, 3);
        var detect = trace.Spans[3];
        Assert.Equal(root.SpanId, detect.ParentSpanId);
        Assert.Equal("sat", detect.Node);
        Assert.Equal(Captured.AddMilliseconds(70), detect.Start);
        Assert.Equal(detect.SpanId, trace.Spans[4].ParentSpanId);
        Assert.Equal("local", trace.Spans[4].Attributes["source"]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(trace));
        Assert.Equal(["workflowId", "traceId", "spans"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["spanId", "parentSpanId", "name", "service", "node", "start", "startUnixNano", "durationMs", "attributes"],
            json.RootElement.GetProperty("spans")[1].EnumerateObject().Select(p => p.Name));
        Assert.Null(await traces.FindAsync("unknown", CancellationToken.None));
    }

    [Fact]
    public async Task A_snapshot_counts_the_workflows_and_the_feed_keeps_only_the_recent_ones()
    {
        var observer = Observer();
        var feed = new DashboardFeed(observer);

        for (var i = 0; i <= DashboardFeed.RecentWorkflowCapacity; i++)
        {
            observer.Observe(Frame($"wf-{i}"));
            observer.Observe(Reply($"wf-{i}", "detect", "sat", Captured.AddMilliseconds(120), 20, detected: "false"));
        }

        await feed.TickAsync(CancellationToken.None);
        using var snapshot = JsonDocument.Parse(feed.Current);

        Assert.Equal(DashboardFeed.RecentWorkflowCapacity + 1, snapshot.RootElement.GetProperty("counters").GetProperty("completed").GetInt64());
        Assert.Equal(DashboardFeed.WorkflowsPerSnapshot, snapshot.RootElement.GetProperty("workflows").GetArrayLength());
        Assert.Equal(DashboardFeed.RecentWorkflowCapacity + 1, snapshot.RootElement.GetProperty("histograms").GetProperty("unknown").EnumerateArray().Sum(b => b.GetInt64()));
        Assert.Null(await new ObservedWorkflowTraces(feed).FindAsync("wf-0", CancellationToken.None));
        Assert.NotNull(await new ObservedWorkflowTraces(feed).FindAsync($"wf-{DashboardFeed.RecentWorkflowCapacity}", CancellationToken.None));
    }

    private static CloudEvent Frame(string workflow)
    {
        var frame = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{workflow}-frame",
            Type = EventTypes.CameraFrame,
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            Time = Captured,
            Data = JsonSerializer.SerializeToElement(new CameraFrame("cam-1", 1, 640, 480, Captured), ContractJson.Options),
        };
        frame[ExtensionNames.WorkflowId] = workflow;
        return frame;
    }

    private static CloudEvent Reply(string workflow, string function, string node, DateTimeOffset time, double durationMs, string? detected = null)
    {
        var reply = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{workflow}-{function}",
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
            Time = time,
            Data = JsonSerializer.SerializeToElement(
                new
                {
                    function,
                    node,
                    durationMs,
                    reads = new[] { new { @ref = $"{node}/{workflow}/frame", source = "local", bytes = 10, durationMs = 2.0 } },
                },
                ContractJson.Options),
        };
        reply[ExtensionNames.WorkflowId] = workflow;
        reply[ExtensionNames.Function] = function;
        if (detected is not null)
        {
            reply[ExtensionNames.Detected] = detected;
        }

        return reply;
    }
}
