using System.Net;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions;

/// <summary>
/// What a function answers when it cannot do its job: 4xx with a message for input that will never work (Knative
/// dead-letters it at once), 503 for state that is unavailable now (Knative retries). Nothing is written on a refusal.
/// </summary>
public sealed class FunctionErrorTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private readonly string _prefix = RedisServer.NewKeyPrefix();

    private static string Detail(FunctionResponse response)
    {
        Assert.Equal("application/problem+json", response.ContentType);
        return response.Json.GetProperty("detail").GetString()!;
    }

    private static async Task<int> BundleCountAsync(BundleStore store)
    {
        var count = 0;
        await foreach (var _ in store.ListAsync())
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task A_corrupt_jpeg_is_refused_with_422_saying_why_and_nothing_is_written()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var jpeg = TestCamera.Jpeg(0);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0, jpeg[..(jpeg.Length / 2)]);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("truncated", Detail(response), StringComparison.Ordinal);
        Assert.Contains("cam-1", Detail(response), StringComparison.Ordinal);
        Assert.Equal(("preprocess", "edge-1"), (response.Json.GetProperty("function").GetString(), response.Json.GetProperty("node").GetString()));
        Assert.Equal(1, await BundleCountAsync(edge.Store));
    }

    [Fact]
    public async Task A_frame_over_the_cameras_configured_size_limit_is_refused_with_422()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        await edge.Store.WriteAsync(
            PreprocessBundles.SettingsRef("edge-1", "cam-1"),
            PreprocessBundles.SettingsItems(new Skylark.Events.Functions.Preprocess.Imaging.PreprocessSettings(maxInputDimension: 320)));
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("640x480, over the limit of 320", Detail(response), StringComparison.Ordinal);
        Assert.Null(await edge.Store.ReadAsync(new StateRef("edge-1", TestCamera.WorkflowId("cam-1", 0), PreprocessBundles.Frame)));
    }

    [Fact]
    public async Task An_unknown_camera_whose_frame_bundle_does_not_exist_is_refused_with_422()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = FunctionEvents.CameraFrame("cam-404", "wf-1", StateRef.Parse("edge-1/wf-1/camera.frame"));

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("Unknown camera 'cam-404'", Detail(response), StringComparison.Ordinal);
        Assert.Equal(0, await BundleCountAsync(edge.Store));
    }

    [Fact]
    public async Task A_frame_bundle_the_holding_node_does_not_have_is_refused_with_422_too()
    {
        var satellite = nodes.RemoteA.Store(_prefix);
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s => s.Puller = new StoreBundlePuller(satellite));
        var frame = FunctionEvents.CameraFrame("cam-404", "wf-1", StateRef.Parse("sat-1/wf-1/camera.frame"));

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("node 'sat-1' does not hold it", Detail(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExtensionNames.WorkflowId)]
    [InlineData(ExtensionNames.Camera)]
    [InlineData(ExtensionNames.StateKey)]
    public async Task An_event_without_a_required_extension_is_refused_with_422_naming_it(string missing)
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);
        frame[missing] = null;

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains($"no '{missing}' extension", Detail(response), StringComparison.Ordinal);
        Assert.Equal(1, await BundleCountAsync(edge.Store));
    }

    [Theory]
    [InlineData(ExtensionNames.StateKey, "edge-1/wf-1", "has 2 segment(s)")]
    [InlineData(ExtensionNames.StateKey, "edge-1/wf 1/camera.frame", "workflow id segment 'wf 1'")]
    [InlineData(ExtensionNames.StateNode, "sat-1", "'statenode' is 'sat-1' but 'statekey'")]
    [InlineData(ExtensionNames.WorkflowId, "../etc", "'workflowid' value '../etc'")]
    [InlineData(ExtensionNames.Camera, "cam:1", "'camera' value 'cam:1' is not a camera id")]
    public async Task A_malformed_extension_is_refused_with_422_saying_what_is_wrong(string extension, string value, string expected)
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);
        frame[extension] = value;

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains(expected, Detail(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/preprocess", EventTypes.FunctionCompleted, "preprocess", "accepts events of type 'io.skylark.camera.frame'")]
    [InlineData("/detect", EventTypes.CameraFrame, "preprocess", "accepts events of type 'io.skylark.function.completed'")]
    [InlineData("/detect", EventTypes.FunctionCompleted, "alarm", "not of 'alarm'")]
    [InlineData("/alarm", EventTypes.FunctionCompleted, "preprocess", "not of 'preprocess'")]
    public async Task An_event_a_function_does_not_consume_is_refused_with_422(string path, string type, string function, string expected)
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var cloudEvent = FunctionEvents.DetectCompleted("cam-1", "wf-1", StateRef.Parse("edge-1/wf-1/x.result"), detected: true);
        cloudEvent.Type = type;
        cloudEvent[ExtensionNames.Function] = function;

        var response = await edge.Client.PostAsync(path, cloudEvent);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains(expected, Detail(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no 'detected' extension")]
    [InlineData("yes", "must be 'true' or 'false'")]
    public async Task Alarm_refuses_a_completion_without_a_clear_detected_flag(string? detected, string expected)
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var cloudEvent = FunctionEvents.DetectCompleted("cam-1", "wf-1", StateRef.Parse("edge-1/wf-1/detect.result"), detected: true);
        cloudEvent[ExtensionNames.Detected] = detected;

        var response = await edge.Client.PostAsync("/alarm", cloudEvent);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains(expected, Detail(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_is_not_a_cloudevent_is_refused_with_400()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);

        var response = await edge.Client.PostRawAsync("/preprocess", FunctionResponse.JsonContent("""{"camera":"cam-1"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("Not a CloudEvent", Detail(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_larger_than_the_limit_is_refused_with_413()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = FunctionEvents.CameraFrame("cam-1", "wf-1", StateRef.Parse("edge-1/wf-1/camera.frame"));
        frame.Data = System.Text.Json.JsonSerializer.SerializeToElement(new { padding = new string('x', 8 * 1024 * 1024) });

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
    }

    [Fact]
    public async Task A_frame_on_a_node_this_node_cannot_pull_from_is_answered_503_so_it_is_retried()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var frame = await TestCamera.CaptureAsync(nodes.RemoteA.Store(_prefix), "cam-1", 0);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("no puller", Detail(response), StringComparison.Ordinal);
        Assert.Equal(0, await BundleCountAsync(edge.Store));
    }

    [Fact]
    public async Task A_failing_pull_is_answered_503_so_it_is_retried()
    {
        // The puller knows only sat-1: pulling from sat-2 fails as an unreachable node would.
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s => s.Puller = new StoreBundlePuller(nodes.RemoteA.Store(_prefix)));
        var frame = await TestCamera.CaptureAsync(nodes.RemoteB.Store(_prefix), "cam-1", 0);

        var response = await edge.Client.PostAsync("/preprocess", frame);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Contains("No route to node 'sat-2'", Detail(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_camera_settings_are_refused_with_422_naming_the_bundle()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        await edge.Store.WriteAsync(
            DetectBundles.SettingsRef("edge-1", "cam-1"),
            BundleItems.CreateBuilder().Add(DetectBundles.SettingsItem, """{"threshold": 99}""").Build());
        var preprocessed = await edge.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(edge.Store, "cam-1", 0));

        var response = await edge.Client.PostAsync("/detect", preprocessed.Forwardable());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("edge-1/camera-cam-1/detect.settings", Detail(response), StringComparison.Ordinal);
        Assert.Contains("threshold", Detail(response), StringComparison.Ordinal);
        Assert.Null(await edge.Store.ReadAsync(DetectBundles.BackgroundRef("edge-1", "cam-1")));
    }
}
