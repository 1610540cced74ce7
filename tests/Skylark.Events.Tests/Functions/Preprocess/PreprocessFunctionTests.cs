using CloudNative.CloudEvents;
using OpenCvSharp;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Preprocess;

/// <summary>Preprocess as a service: real Kestrel, real redis-servers (edge-1 runs it, sat-1 holds remote frames).</summary>
public sealed class PreprocessFunctionTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private readonly string _prefix = RedisServer.NewKeyPrefix();

    [Fact]
    public async Task A_camera_frame_becomes_a_grayscale_frame_bundle_on_this_node_and_a_completed_reply()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", seq: 3);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        var reply = response.Event;
        var output = StateRef.Parse("edge-1/cam-1-000003/preprocess.frame");
        Assert.Equal(EventTypes.FunctionCompleted, reply.Type);
        Assert.Equal("/functions/preprocess", reply.Source!.ToString());
        Assert.Equal("cam-1-000003", response.Extension(ExtensionNames.WorkflowId));
        Assert.Equal("preprocess", response.Extension(ExtensionNames.Function));
        Assert.Equal("edge-1", response.Extension(ExtensionNames.Node));
        Assert.Equal(output.ToString(), response.Extension(ExtensionNames.StateKey));
        Assert.Equal("edge-1", response.Extension(ExtensionNames.StateNode));
        Assert.Equal("cam-1", response.Extension(ExtensionNames.Camera));

        var bundle = await edge.Store.ReadAsync(output);
        Assert.NotNull(bundle);
        using var image = Cv2.ImDecode(bundle.Items[PreprocessBundles.ImageItem].ToArray(), ImreadModes.Unchanged);
        Assert.Equal((320, 240, 1), (image.Width, image.Height, image.Channels()));
        var meta = bundle.Items.GetJson<PreprocessedFrameInfo>(PreprocessBundles.MetaItem, ContractJson.Options)!;
        Assert.Equal(("cam-1", 3L, 640, 480, "image/png"), (meta.Camera, meta.Seq!.Value, meta.SourceWidth, meta.SourceHeight, meta.ContentType));

        var data = response.Json;
        var reads = data.GetProperty("reads");
        Assert.Equal("edge-1/cam-1-000003/camera.frame", reads[0].GetProperty("ref").GetString());
        Assert.Equal("local", reads[0].GetProperty("source").GetString());
        Assert.Equal("edge-1/camera-cam-1/preprocess.settings", reads[1].GetProperty("ref").GetString());
        Assert.Equal("absent", reads[1].GetProperty("source").GetString());
        Assert.Equal(output.ToString(), data.GetProperty("writes")[0].GetProperty("ref").GetString());
        Assert.Equal(320, data.GetProperty("result").GetProperty("width").GetInt32());
        Assert.True(data.GetProperty("durationMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task A_cameras_settings_bundle_decides_size_and_encoding()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        await edge.Store.WriteAsync(
            PreprocessBundles.SettingsRef("edge-1", "cam-2"),
            PreprocessBundles.SettingsItems(new PreprocessSettings(targetWidth: 160, targetHeight: 120, output: FrameEncoding.Jpeg)));
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-2", seq: 0);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        var result = response.Json.GetProperty("result");
        Assert.Equal((160, 120, "image/jpeg", false), (
            result.GetProperty("width").GetInt32(),
            result.GetProperty("height").GetInt32(),
            result.GetProperty("contentType").GetString(),
            result.GetProperty("defaultSettings").GetBoolean()));
        Assert.Equal("local", response.Json.GetProperty("reads")[1].GetProperty("source").GetString());
        var bundle = await edge.Store.ReadAsync(StateRef.Parse(response.Extension(ExtensionNames.StateKey)));
        using var image = Cv2.ImDecode(bundle!.Items[PreprocessBundles.ImageItem].ToArray(), ImreadModes.Unchanged);
        Assert.Equal((160, 120), (image.Width, image.Height));
    }

    [Fact]
    public async Task A_frame_held_on_another_node_is_pulled_and_reported_remote_and_then_read_locally()
    {
        var satellite = nodes.RemoteA.Store(_prefix);
        var puller = new StoreBundlePuller(satellite);
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s => s.Puller = puller);
        var frame = await TestCamera.CaptureAsync(satellite, "cam-3", seq: 1);

        var first = await edge.Client.PostAsync("/preprocess", frame);
        var second = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal("sat-1/cam-3-000001/camera.frame", first.Json.GetProperty("reads")[0].GetProperty("ref").GetString());
        Assert.Equal("remote", first.Json.GetProperty("reads")[0].GetProperty("source").GetString());
        Assert.Equal("local", second.Json.GetProperty("reads")[0].GetProperty("source").GetString());
        Assert.Equal(1, puller.Calls);
        Assert.Equal("edge-1/cam-3-000001/preprocess.frame", first.Extension(ExtensionNames.StateKey));
        Assert.Equal("edge-1", first.Extension(ExtensionNames.StateNode));
    }

    [Fact]
    public async Task A_structured_mode_delivery_is_handled_like_a_binary_one()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-4", seq: 7);

        var response = await edge.Client.PostAsync("/preprocess", frame, ContentMode.Structured);

        Assert.Equal(7, response.Json.GetProperty("result").GetProperty("seq").GetInt64());
        Assert.Equal("edge-1/cam-4-000007/preprocess.frame", response.Extension(ExtensionNames.StateKey));
    }
}
