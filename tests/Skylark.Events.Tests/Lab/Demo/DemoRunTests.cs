using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Demo;

/// <summary>
/// The demo end to end on topologies/three-nodes.yaml: real redis-servers, the embedded MQTT server (and mosquitto),
/// simulated cameras, the real vision functions, the broker and the Predictor; the report must add up.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class DemoRunTests(ITestOutputHelper output)
{
    // Detect's background model learns for 20 frames; 10 s at 4 fps leaves about 20 scored frames.
    private static DemoOptions ThreeNodes(string work, StateMode mode) => new()
    {
        TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
        EventingPath = RepositoryPaths.InRoot("eventing"),
        Mode = mode,
        Duration = TimeSpan.FromSeconds(10),
        FramesPerSecond = 4,
        Cameras = 1,
        ReportPath = Path.Combine(work, "report.json"),
        WorkDirectory = work,
    };

    [Theory]
    [InlineData(StateMode.Skylark, false)]
    [InlineData(StateMode.Databelt, false)]
    [InlineData(StateMode.OnDemand, false)]
    [InlineData(StateMode.Central, false)]
    [InlineData(StateMode.Skylark, true)]
    public async Task Every_frame_becomes_a_workflow_that_completes_and_the_report_adds_up(StateMode mode, bool processes)
    {
        using var work = new ScratchDirectory();
        var options = ThreeNodes(work.Path, mode) with { Processes = processes };

        var report = await RunAsync(options);

        Assert.Equal(mode.Name(), report.Mode);
        Assert.Equal("three-nodes", report.Topology);
        Assert.True(report.Workflows.Started >= 20, $"only {report.Workflows.Started} workflows started");
        Assert.Equal(report.Workflows.Started, report.Workflows.Completed);
        Assert.Equal(0, report.Workflows.Failed);
        Assert.Equal(0, report.Workflows.Unfinished);
        Assert.Equal(0, report.DeadLetters);
        // A frame whose acknowledgement the end of the run cut short may still have become a workflow, so not equal.
        Assert.True(report.FramesAcknowledged >= 20, $"only {report.FramesAcknowledged} frames acknowledged");
        Assert.Equal(0, report.FramesLost);
        Assert.Equal(report.Workflows.Completed, report.LatencyMs.Samples);
        Assert.True(report.LatencyMs.P50 > 0);
        Assert.True(report.LatencyMs.P50 <= report.LatencyMs.P95 && report.LatencyMs.P95 <= report.LatencyMs.P99 && report.LatencyMs.P99 <= report.LatencyMs.Max);
        Assert.True(report.Detection.FramesScored >= 10, $"{report.Detection.FramesScored} frames scored");
        Assert.True(report.Detection.Precision >= 0.8, $"precision {report.Detection.Precision}");
        Assert.True(report.Detection.Recall >= 0.8, $"recall {report.Detection.Recall}");
        Assert.True(report.BytesMoved.Total > 0);
        Assert.Equal(report.BytesMoved.State + report.BytesMoved.Control, report.BytesMoved.Total);
        Assert.True(report.BytesMoved.Control > 0, "no event crossed a link: the control plane runs on the cloud");
        Assert.Equal(mode == StateMode.Central, report.BytesMoved.Wasted is null);
        Assert.Equal(report.Workflows.Completed, report.ReadWaitMs.Samples);
        Assert.True(report.ReadWaitMs.Mean >= 0);
        Assert.True(report.Alarms > 0, "the synthetic people never raised an alarm");
        Assert.True(report.AlarmsOnMqtt > 0, "no alarm reached MQTT alarms/#");
        Assert.All(report.BytesMoved.PerLink.Keys, link => Assert.Contains(link, ThreeNodesLinks));

        // Per workflow: preprocess reads the frame, detect reads the preprocessed frame (plus its own optional state).
        var reads = report.StateReads;
        Assert.True(reads.Local + reads.Waited + reads.Remote >= 2 * report.Workflows.Completed);
        switch (mode)
        {
            case StateMode.Central:
                // Everything lives in the cloud's Redis; preprocess and detect run elsewhere, so all their reads cross a link.
                Assert.True(reads.Remote >= 2 * report.Workflows.Completed, $"remote {reads.Remote}");
                Assert.Equal(0, reads.Waited);
                Assert.Null(report.Prediction.Accuracy);
                Assert.Equal(0, report.Prediction.Propagations);
                Assert.Equal(0, report.Prediction.SentAhead);
                break;
            case StateMode.Databelt:
                // Databelt sends each output at completion to the next function's node: no look-ahead.
                Assert.True(report.Prediction.Propagations > 0, "Databelt's policy sent nothing");
                Assert.Equal(0, report.Prediction.SentAhead);
                break;
            case StateMode.OnDemand:
                // Detect on sat pulls each preprocessed frame from edge when it is invoked.
                Assert.True(reads.Remote >= report.Workflows.Completed, $"remote {reads.Remote}");
                Assert.Equal(0, report.Prediction.Propagations);
                Assert.Equal(0, report.Prediction.SentAhead);
                break;
            case StateMode.Skylark:
                Assert.True(report.Prediction.Propagations >= report.Workflows.Completed / 2, $"{report.Prediction.Propagations} propagations");
                Assert.NotNull(report.Prediction.Accuracy);

                // Each frame starts a workflow on the edge; once learned, preprocess's output is sent ahead to detect's node.
                Assert.True(report.Prediction.SentAhead > 0, "nothing was planned one step ahead");
                Assert.True(reads.LocalRatio >= 0.5, $"local ratio {reads.LocalRatio}");
                break;
        }

        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(options.ReportPath!));
        var root = written.RootElement;
        foreach (var field in new[] { "mode", "workflows", "latencyMs", "stateReads", "prediction", "bytesMoved", "detection", "alarms" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"report has no '{field}'");
        }

        Assert.Equal(report.Workflows.Completed, root.GetProperty("workflows").GetProperty("completed").GetInt64());
        Assert.True(root.GetProperty("latencyMs").TryGetProperty("p99", out _));
        Assert.Equal(report.Prediction.SentAhead, root.GetProperty("prediction").GetProperty("sentAhead").GetInt64());
        Assert.True(root.GetProperty("bytesMoved").GetProperty("perLink").EnumerateObject().Any());
        Assert.True(root.GetProperty("bytesMoved").GetProperty("controlPerLink").EnumerateObject().Any());
        Assert.Equal(report.Workflows.Completed, (await DemoReport.ReadAsync(options.ReportPath!, CancellationToken.None)).Workflows.Completed);
    }

    [Fact]
    public async Task Cameras_can_publish_through_mosquitto_instead_of_the_embedded_servers()
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        using var work = new ScratchDirectory();
        var options = ThreeNodes(work.Path, StateMode.Skylark) with { Mqtt = mosquitto.Connection, Duration = TimeSpan.FromSeconds(4) };

        var report = await RunAsync(options);

        Assert.True(report.Workflows.Started >= 8, $"only {report.Workflows.Started} workflows started");
        Assert.Equal(report.Workflows.Started, report.Workflows.Completed);
    }

    private static readonly string[] ThreeNodesLinks = ["edge->sat", "sat->edge", "sat->cloud", "cloud->sat", "edge->cloud", "cloud->edge"];

    private async Task<DemoReport> RunAsync(DemoOptions options)
    {
        using var console = new StringWriter();
        var report = await new DemoRun(options, NullLoggerFactory.Instance, console).RunAsync(CancellationToken.None);
        output.WriteLine(console.ToString());
        output.WriteLine(JsonSerializer.Serialize(report, DemoReport.Json));
        return report;
    }
}
