using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Observability;

/// <summary>
/// A short demo on topologies/three-nodes.yaml, in-process: a frame's workflow is one trace, from the camera ingest
/// through the broker, the three functions, the Predictor's decisions and a StateSink's pull.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class WorkflowTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_demo_workflow_with_an_alarm_is_one_trace_through_every_service()
    {
        using var work = new ScratchDirectory();
        using var traces = new TraceStore();
        var options = new DemoOptions
        {
            TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            EventingPath = RepositoryPaths.InRoot("eventing"),
            Mode = StateMode.Skylark,
            Duration = TimeSpan.FromSeconds(10),
            FramesPerSecond = 4,
            Cameras = 1,
            ReportPath = Path.Combine(work.Path, "report.json"),
            WorkDirectory = work.Path,
        };

        using var console = new StringWriter();
        await new DemoRun(options, NullLoggerFactory.Instance, console).RunAsync(CancellationToken.None);

        var complete = traces.Workflows()
            .Select(traces.Find)
            .OfType<TraceView>()
            .Where(t => t.Spans.Any(s => s.Service == "CameraIngest"))
            .FirstOrDefault(t => new[] { "preprocess", "detect", "alarm" }.All(f => t.Spans.Any(s => s.Service == "Functions" && s.Name == $"{f} process"))
                && t.Spans.Any(s => s.Service == "StateSink" && s.Name == "pull"));
        Assert.True(complete is not null, $"no workflow of {traces.Count} traces has spans of every service");
        output.WriteLine(TraceTree.Render(complete));

        var spans = complete.Spans;
        var root = Assert.Single(spans, s => s.ParentSpanId is null);
        Assert.Equal("CameraIngest", root.Service);
        Assert.Equal(complete.WorkflowId, root.Attributes[CloudEventTracing.WorkflowIdTag]);
        Assert.Contains(spans, s => s.Service == "Broker" && s.Attributes[CloudEventTracing.MessagingOperationTag] == "send");
        Assert.Contains(spans, s => s.Service == "Predictor");
        Assert.Contains(spans, s => s.Service == "Functions" && s.Attributes.ContainsKey(CloudEventTracing.ReadTag));
        var pull = spans.First(s => s.Service == "StateSink" && s.Name == "pull");
        Assert.NotNull(pull.Attributes[CloudEventTracing.TargetNodeTag]);
        Assert.True(pull.Attributes.ContainsKey(CloudEventTracing.BytesTag));
        Assert.All(spans, s => Assert.NotNull(s.Node));

        // Every span hangs off another span of the same trace: nothing started a trace of its own on the way.
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        Assert.All(spans.Where(s => s != root), s => Assert.Contains(s.ParentSpanId!, ids));
    }
}
