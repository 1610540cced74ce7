using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Lab.Up;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Demo;

/// <summary>
/// A recorded frame stream replayed through a running cluster (MQTT → bridge → broker → preprocess on edge → detect
/// on sat, background model round-tripping through Redis every frame) gives the same detections every time, and the
/// same as the vision code run directly on the recorded frames.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class FrameReplayTests
{
    private const int Frames = 30;

    [Fact]
    public async Task Replaying_a_recorded_stream_twice_gives_the_same_detections_as_the_vision_code_itself()
    {
        using var work = new ScratchDirectory();
        var recording = work.File("frames.jsonl");
        var scene = new SyntheticScene(11, new SyntheticSceneOptions(objectCount: 2));
        var start = DateTimeOffset.UtcNow;
        await FrameRecording.WriteAsync(recording, Enumerable.Range(0, Frames).Select(seq =>
        {
            var (jpeg, truth) = scene.RenderFrame(seq);
            return new SimulatedFrame("recorded", seq, start.AddMilliseconds(250 * seq), scene.Width, scene.Height, jpeg, truth);
        }));
        var frames = await FrameRecording.ReadAsync(recording);

        await using var detections = await TestSubscriber.StartAsync();
        await using var cluster = await EmulatedCluster.StartAsync(
            new UpOptions
            {
                TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
                EventingPath = RepositoryPaths.InRoot("eventing"),
                CameraIngest = new CameraIngestSetup(),
                ExtraTriggers = [DetectResults(detections.Url)],
                WorkDirectory = work.Path,
            },
            NullLoggerFactory.Instance,
            CancellationToken.None);

        var first = await ReplayAsync(cluster, frames, "replay-a", detections, 0);
        var second = await ReplayAsync(cluster, frames, "replay-b", detections, Frames);
        var direct = Direct(frames);

        Assert.Equal(Frames, first.Count);
        Assert.Contains(first, r => r.Detections.Count > 0);
        Assert.Equal(Describe(direct), Describe(first));
        Assert.Equal(Describe(first), Describe(second));
    }

    /// <summary>One frame at a time, each published only after the previous frame's detection came back, as a real camera's frames are spaced.</summary>
    private static async Task<IReadOnlyList<DetectResult>> ReplayAsync(EmulatedCluster cluster, IReadOnlyList<RecordedFrame> frames, string camera, TestSubscriber detections, int already)
    {
        await using var publisher = new CameraPublisher(cluster.CameraBroker("edge", camera));
        for (var i = 0; i < frames.Count; i++)
        {
            await publisher.PublishAsync(frames[i].As(camera));
            await detections.WaitForAsync(already + i + 1, TimeSpan.FromSeconds(30));
        }

        return [.. detections.Received
            .Select(r => r.CloudEvent)
            .Where(e => (string?)e[ExtensionNames.Camera] == camera)
            .Select(e => JsonDocument.Parse((byte[])e.Data!).RootElement.GetProperty("result").Deserialize<DetectResult>(ContractJson.Options)!)
            .OrderBy(r => r.Seq)];
    }

    private static List<DetectResult> Direct(IReadOnlyList<RecordedFrame> frames)
    {
        var detector = new MotionDetector(new DetectFunctionOptions().DefaultSettings);
        BackgroundModel? model = null;
        var results = new List<DetectResult>();
        foreach (var frame in frames)
        {
            var preprocessed = FramePreprocessor.Process(frame.Jpeg, PreprocessSettings.Default);
            var detection = detector.Detect(preprocessed.Image, model);
            model = BackgroundModel.FromBytes(detection.Model.ToBytes());
            results.Add(new DetectResult(
                "direct", frame.Seq, detection.Model.Width, detection.Model.Height, detection.Detections.Count > 0 || detection.People.Count > 0,
                detection.WarmingUp, detection.ModelReset, detection.Model.FramesSeen, null,
                [.. detection.Detections.Select(d => new DetectionBox(d.Box.X, d.Box.Y, d.Box.Width, d.Box.Height, d.Area))], []));
        }

        return results;
    }

    private static List<string> Describe(IEnumerable<DetectResult> results) =>
        [.. results.Select(r => $"{r.Seq}: warming={r.WarmingUp} detected={r.Detected} " +
            string.Join(" ", r.Detections.Select(b => $"[{b.X},{b.Y},{b.Width},{b.Height},{b.Area:0.###}]")))];

    private static TriggerResource DetectResults(Uri subscriber) => new(
        new ResourceMeta("detect-results", SkylarkDefaults.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>()),
        SkylarkDefaults.Broker,
        new Dictionary<string, string> { ["type"] = EventTypes.FunctionCompleted, [ExtensionNames.Function] = "detect" },
        [],
        new Destination(null, subscriber),
        null,
        new ResourceOrigin("(test)", 0));
}
