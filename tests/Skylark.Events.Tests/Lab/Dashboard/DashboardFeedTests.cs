using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Up;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

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

    [Fact]
    public async Task Each_attached_run_brings_its_own_figures_while_every_modes_latencies_stay_side_by_side()
    {
        var feed = new DashboardFeed();
        await using var first = new QuietCluster(StateMode.Skylark);
        await using var second = new QuietCluster(StateMode.Central);
        var firstObserver = Observer();
        using (feed.Attach(first, firstObserver))
        {
            firstObserver.Observe(Frame("wf-1"));
            firstObserver.Observe(Reply("wf-1", "detect", "sat", Captured.AddMilliseconds(120), 20, detected: "false"));
            await feed.TickAsync(CancellationToken.None);
        }

        // Between two runs the last run's picture stays, without its cluster, and its series no longer grows.
        await feed.TickAsync(CancellationToken.None);
        Assert.Null(feed.Cluster);
        Assert.Equal("skylark", feed.Topology()?.Mode);

        var secondObserver = Observer();
        using (feed.Attach(second, secondObserver))
        {
            secondObserver.Observe(Frame("wf-2"));
            secondObserver.Observe(Reply("wf-2", "detect", "sat", Captured.AddMilliseconds(300), 20, detected: "false"));

            // The first run's observer is no longer followed.
            firstObserver.Observe(Frame("wf-late"));
            firstObserver.Observe(Reply("wf-late", "detect", "sat", Captured.AddMilliseconds(900), 20, detected: "false"));
            await feed.TickAsync(CancellationToken.None);
            Assert.Same(second, feed.Cluster);
            Assert.Equal("central", feed.Topology()?.Mode);
        }

        using var snapshot = JsonDocument.Parse(feed.Current);
        var root = snapshot.RootElement;
        Assert.Equal("central", root.GetProperty("mode").GetString());
        Assert.Equal(1, root.GetProperty("counters").GetProperty("completed").GetInt64());
        Assert.Equal(["wf-2"], root.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("id").GetString()));
        Assert.Equal(["skylark", "central"], root.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));
        var modeSeries = root.GetProperty("modeSeries");
        Assert.Equal([120.0], modeSeries.GetProperty("skylark").EnumerateArray().Select(p => p.GetProperty("p50Ms").GetDouble()));
        Assert.Equal([300.0], modeSeries.GetProperty("central").EnumerateArray().Select(p => p.GetProperty("p50Ms").GetDouble()));
        Assert.Equal([300.0], root.GetProperty("series").EnumerateArray().Select(p => p.GetProperty("p50Ms").GetDouble()));
        var histograms = root.GetProperty("histograms");
        Assert.Equal(1, histograms.GetProperty("skylark").EnumerateArray().Sum(b => b.GetInt64()));
        Assert.Equal(1, histograms.GetProperty("central").EnumerateArray().Sum(b => b.GetInt64()));
    }

    [Fact]
    public async Task The_topology_marks_each_satellites_link_to_the_ground()
    {
        var feed = new DashboardFeed();
        await using var cluster = new QuietCluster(StateMode.Skylark);
        using var attached = feed.Attach(cluster, Observer());

        var links = feed.Topology()!.Links.ToDictionary(l => l.Id, l => l.Ground);

        Assert.Equal("sat", links["edge->sat"]);
        Assert.Equal("sat", links["sat->cloud"]);
        Assert.Null(links["edge->cloud"]);
    }

    /// <summary>A cluster that runs nothing: three-nodes.yaml's topology and links, in one mode, with no Predictor.</summary>
    private sealed class QuietCluster : IUpCluster
    {
        public QuietCluster(StateMode mode)
        {
            Mode = mode;
            Topology = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "three-nodes.yaml"));
            Clock = new TopologyClock(Topology);
            Links = new LinkEmulator(Clock);
        }

        public event EventHandler<CloudEvent>? DeadLettered
        {
            add { }
            remove { }
        }

        public NetworkTopology Topology { get; }

        public TopologyClock Clock { get; }

        public LinkEmulator Links { get; }

        public StateMode Mode { get; }

        public string ControlNode => "cloud";

        public bool InstantControlPlane => true;

        public EndpointsFile Endpoints => throw new NotSupportedException();

        public IReadOnlyDictionary<string, MqttConnection> CameraBrokers => new Dictionary<string, MqttConnection>();

        public IReadOnlyDictionary<string, MqttConnection> AlarmBrokers => new Dictionary<string, MqttConnection>();

        public MqttConnection CameraBroker(string node, string camera) => throw new NotSupportedException();

        public Task<PredictorMetricsSnapshot?> PredictorMetricsAsync(CancellationToken cancellationToken) => Task.FromResult<PredictorMetricsSnapshot?>(null);

        public Task<long> DeadLettersReceivedAsync(CancellationToken cancellationToken) => Task.FromResult(0L);

        public async ValueTask DisposeAsync()
        {
            await Links.DisposeAsync();
            Clock.Dispose();
        }
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
