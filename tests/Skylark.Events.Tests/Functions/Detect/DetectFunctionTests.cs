using System.Text.Json;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Detect;

/// <summary>Detect as a service, fed by preprocess's real replies over HTTP.</summary>
public sealed class DetectFunctionTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private readonly string _prefix = RedisServer.NewKeyPrefix();

    private static async Task<FunctionResponse> PreprocessAndDetectAsync(FunctionNode node, string camera, long seq)
    {
        var preprocessed = await node.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(node.Store, camera, seq));
        return await node.Client.PostAsync("/detect", preprocessed.Forwardable());
    }

    private static string Source(JsonElement read) => read.GetProperty("source").GetString()!;

    [Fact]
    public async Task The_first_frame_starts_a_background_model_that_later_frames_read_fused_with_the_frame_and_rewrite()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);

        var first = await PreprocessAndDetectAsync(edge, "cam-1", 0);
        var second = await PreprocessAndDetectAsync(edge, "cam-1", 1);

        var reads = first.Json.GetProperty("reads");
        Assert.Equal(
            ["edge-1/cam-1-000000/preprocess.frame", "edge-1/camera-cam-1/detect.background", "edge-1/camera-cam-1/detect.settings"],
            reads.EnumerateArray().Select(r => r.GetProperty("ref").GetString()));
        Assert.Equal(["local", "absent", "absent"], reads.EnumerateArray().Select(Source));
        Assert.Equal(["local", "local", "absent"], second.Json.GetProperty("reads").EnumerateArray().Select(Source));
        Assert.Equal(1, second.Json.GetProperty("reads")[1].GetProperty("version").GetInt64());
        Assert.Equal(
            ["edge-1/camera-cam-1/detect.background", "edge-1/cam-1-000001/detect.result"],
            second.Json.GetProperty("writes").EnumerateArray().Select(w => w.GetProperty("ref").GetString()));

        Assert.Equal("false", first.Extension(ExtensionNames.Detected));
        Assert.True(first.Json.GetProperty("result").GetProperty("modelReset").GetBoolean());
        Assert.Equal("detect", second.Extension(ExtensionNames.Function));
        Assert.Equal("cam-1", second.Extension(ExtensionNames.Camera));
        Assert.Equal("edge-1/cam-1-000001/detect.result", second.Extension(ExtensionNames.StateKey));

        var model = await edge.Store.ReadAsync(DetectBundles.BackgroundRef("edge-1", "cam-1"));
        Assert.Equal(2, model!.Version);
        Assert.Equal(2, BackgroundModel.FromBytes(model.Items[DetectBundles.ModelItem].Span).FramesSeen);
        var stored = (await edge.Store.ReadAsync(StateRef.Parse(second.Extension(ExtensionNames.StateKey))))!
            .Items.GetJson<DetectResult>(DetectBundles.ResultItem, ContractJson.Options)!;
        Assert.Equal((1L, 320, 240, 2L), (stored.Seq!.Value, stored.Width, stored.Height, stored.ModelFrames));
    }

    [Fact]
    public async Task A_short_synthetic_sequence_is_reported_as_motion_with_boxes_on_the_walking_people()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        await edge.Store.WriteAsync(DetectBundles.SettingsRef("edge-1", "cam-2"), DetectBundles.SettingsItems(new MotionDetectorSettings(warmupFrames: 4)));
        var scorer = new DetectionScorer(640, 480, 320, 240);
        var matched = 0;
        var detectedFrames = 0;

        for (var seq = 0; seq < 10; seq++)
        {
            var response = await PreprocessAndDetectAsync(edge, "cam-2", seq);
            var result = response.Json.GetProperty("result").Deserialize<DetectResult>(ContractJson.Options)!;
            Assert.Equal(result.Detected ? "true" : "false", response.Extension(ExtensionNames.Detected));
            var stored = (await edge.Store.ReadAsync(StateRef.Parse(response.Extension(ExtensionNames.StateKey))))!;
            if (result.Detected)
            {
                detectedFrames++;
                var boxes = result.Detections.Select(d => new Detection(new BoundingBox(d.X, d.Y, d.Width, d.Height), d.Area)).ToList();
                matched += scorer.ScoreFrame(TestCamera.Scene.TruthAt(seq), boxes).TruePositives;

                // The evidence: a JPEG of the part of the frame around the detections, smaller than the frame.
                var crop = stored.Items[DetectBundles.CropItem].ToArray();
                using var image = OpenCvSharp.Cv2.ImDecode(crop, OpenCvSharp.ImreadModes.Unchanged);
                Assert.False(image.Empty());
                Assert.InRange(image.Width, boxes.Max(b => b.Box.Width), result.Width);
                Assert.InRange(image.Height, boxes.Max(b => b.Box.Height), result.Height);
            }
            else
            {
                Assert.False(stored.Items.ContainsKey(DetectBundles.CropItem), $"frame {seq}: a crop without a detection");
            }
        }

        Assert.True(detectedFrames >= 3, $"only {detectedFrames} of 6 frames after warm-up reported motion");
        Assert.True(matched >= detectedFrames, $"{matched} detections matched the people in {detectedFrames} frames");
    }

    [Fact]
    public async Task An_unreadable_background_model_is_discarded_and_detection_starts_over()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        await edge.Store.WriteAsync(
            DetectBundles.BackgroundRef("edge-1", "cam-3"),
            BundleItems.CreateBuilder().Add(DetectBundles.ModelItem, new string('x', 64)).Build());

        var response = await PreprocessAndDetectAsync(edge, "cam-3", 0);

        var result = response.Json.GetProperty("result");
        Assert.Contains("SKBG", result.GetProperty("modelDiscarded").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("modelReset").GetBoolean());
        var model = await edge.Store.ReadAsync(DetectBundles.BackgroundRef("edge-1", "cam-3"));
        Assert.Equal(1, BackgroundModel.FromBytes(model!.Items[DetectBundles.ModelItem].Span).FramesSeen);
    }
}
