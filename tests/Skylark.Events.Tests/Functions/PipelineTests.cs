using Skylark.Events.Contracts;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.State;
using Skylark.Events.State.Functions;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions;

/// <summary>
/// The camera pipeline chained by hand the way the Broker chains it: post the event, take the reply, post it to the
/// next function (whose Trigger would match it). Real Kestrel and a real redis-server per node.
/// </summary>
public sealed class PipelineTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private readonly string _prefix = RedisServer.NewKeyPrefix();

    [Fact]
    public async Task A_walking_person_seen_by_a_camera_ends_in_an_alarm_after_preprocess_detect_and_alarm()
    {
        var publisher = new RecordingAlarmPublisher();
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s => s.Publisher = publisher);
        await edge.Store.WriteAsync(DetectBundles.SettingsRef("edge-1", "cam-1"), DetectBundles.SettingsItems(new MotionDetectorSettings(warmupFrames: 4)));
        await edge.Store.WriteAsync(
            AlarmBundles.SettingsRef("edge-1", "cam-1"),
            AlarmBundles.SettingsItems(new AlarmSettings(gridColumns: 1, gridRows: 1, windowSize: 3, requiredPositives: 2)));
        var replies = new List<FunctionResponse>();
        FunctionResponse? raised = null;
        FunctionResponse? lastDetect = null;

        for (var seq = 0; seq < 16 && raised is null; seq++)
        {
            var preprocessed = await edge.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(edge.Store, "cam-1", seq));
            var detected = await edge.Client.PostAsync("/detect", preprocessed.Forwardable());
            replies.Add(preprocessed);
            replies.Add(detected);
            if (detected.Extension(ExtensionNames.Detected) == "true")
            {
                lastDetect = detected;
                var alarm = await edge.Client.PostAsync("/alarm", detected.Forwardable());
                replies.Add(alarm);
                raised = alarm.Event.Type == EventTypes.AlarmRaised ? alarm : null;
            }
        }

        Assert.NotNull(raised);
        Assert.Equal("/functions/alarm", raised.Event.Source!.ToString());
        Assert.Equal("cam-1", raised.Extension(ExtensionNames.Camera));
        Assert.Equal(lastDetect!.Extension(ExtensionNames.WorkflowId), raised.Extension(ExtensionNames.WorkflowId));
        var notice = Assert.Single(publisher.Notices);
        Assert.Equal(("cam-1", "r0c0"), (notice.Camera, Assert.Single(notice.Zones)));
        Assert.Equal(lastDetect.Extension(ExtensionNames.StateKey), notice.Evidence.ToString());
        Assert.NotEmpty(notice.Boxes);

        // Every function wrote only bundles it owns, all on its own node.
        foreach (var reply in replies)
        {
            var function = reply.Extension(ExtensionNames.Function);
            Assert.All(reply.Json.GetProperty("writes").EnumerateArray(), write =>
            {
                var written = StateRef.Parse(write.GetProperty("ref").GetString()!);
                Assert.Equal("edge-1", written.Node);
                Assert.True(BundleScope.ForFunction(function).Owns(written.Bundle), $"{function} wrote {written}");
            });
        }
    }

    [Fact]
    public async Task Preprocess_on_a_satellite_and_detect_on_the_edge_move_the_frame_across_nodes_and_say_so()
    {
        var satelliteStore = nodes.RemoteA.Store(_prefix);
        await using var satellite = await FunctionNode.StartAsync(nodes.RemoteA, _prefix);
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s => s.Puller = new StoreBundlePuller(satelliteStore));

        var first = await satellite.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(satellite.Store, "cam-2", 0));
        var firstDetect = await edge.Client.PostAsync("/detect", first.Forwardable());
        var second = await satellite.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(satellite.Store, "cam-2", 1));
        var secondDetect = await edge.Client.PostAsync("/detect", second.Forwardable());

        Assert.Equal(("sat-1", "sat-1/cam-2-000000/preprocess.frame"), (first.Extension(ExtensionNames.Node), first.Extension(ExtensionNames.StateKey)));
        Assert.Equal("local", first.Json.GetProperty("reads")[0].GetProperty("source").GetString());
        Assert.Equal(("edge-1", "edge-1"), (firstDetect.Extension(ExtensionNames.Node), firstDetect.Extension(ExtensionNames.StateNode)));
        Assert.Equal("remote", firstDetect.Json.GetProperty("reads")[0].GetProperty("source").GetString());
        Assert.Equal("remote", secondDetect.Json.GetProperty("reads")[0].GetProperty("source").GetString());
        Assert.Equal("local", secondDetect.Json.GetProperty("reads")[1].GetProperty("source").GetString());
        Assert.NotNull(await edge.Store.ReadAsync(DetectBundles.BackgroundRef("edge-1", "cam-2")));
        Assert.Null(await satellite.Store.ReadAsync(DetectBundles.BackgroundRef("sat-1", "cam-2")));
    }

    [Fact]
    public async Task A_function_can_read_any_bundle_but_write_only_its_own()
    {
        await using var edge = await FunctionNode.StartAsync(nodes.Local, _prefix);
        var preprocess = edge.Services.GetRequiredKeyedService<FunctionRuntime>("preprocess");
        var alarm = edge.Services.GetRequiredKeyedService<FunctionRuntime>("alarm");
        var model = DetectBundles.BackgroundRef("edge-1", "cam-3");
        await edge.Store.WriteAsync(model, BundleItems.CreateBuilder().Add("model", "m").Build());

        var read = await preprocess.Reader.ReadAsync(model);
        var error = await Assert.ThrowsAsync<BundleScopeException>(() => preprocess.Store.WriteAsync(model, BundleItems.Empty));
        await Assert.ThrowsAsync<BundleScopeException>(() => alarm.Store.WriteAsync(new StateRef("edge-1", "wf", "preprocess.frame"), BundleItems.Empty));
        await alarm.Store.WriteAsync(AlarmBundles.StateRef("edge-1", "cam-3"), BundleItems.Empty);

        Assert.Equal("m", read.Bundle.Items.GetString("model"));
        Assert.Contains("preprocess", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await edge.Store.ReadAsync(model))!.Version);
    }
}
