using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.StateSink.Sync;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink.Propagation;

/// <summary>
/// A propagate command copies only bundles of the workflow it names (<c>workflowid</c>) and of the stream workflow of
/// the camera it names (<c>camera</c>). Three real sinks, each on its own redis-server.
/// </summary>
public sealed class WorkflowBoundaryTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static CloudEvent Command(string workflowId, string? camera, params string[] bundles)
    {
        var command = SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", bundles), workflowId);
        if (camera is not null)
        {
            command[ExtensionNames.Camera] = camera;
        }

        return command;
    }

    public static TheoryData<string, string> Outside => new()
    {
        { "another-workflow", "data.bundles[0] 'sat-1/wfSecret/preprocess.frame' belongs to workflow 'wfSecret', but this command may copy only bundles of its workflow 'wfAttacker'; nothing was copied" },
        { "own-and-another", "data.bundles[1] 'sat-1/wfSecret/preprocess.frame' belongs to workflow 'wfSecret', but this command may copy only bundles of its workflow 'wfAttacker'; nothing was copied" },
        { "a-stream-without-its-camera", "data.bundles[0] 'sat-1/camera-cam-7/detect.background' belongs to workflow 'camera-cam-7', but this command may copy only bundles of its workflow 'wfAttacker'" },
        { "another-cameras-stream", "data.bundles[1] 'sat-1/camera-cam-8/detect.background' belongs to workflow 'camera-cam-8', but this command may copy only bundles of its workflow 'wfAttacker' or the stream workflow 'camera-cam-7' of camera 'cam-7'" },
        { "no-workflow", "the event has no 'workflowid' extension; a command copies only bundles of the workflow it names" },
        { "not-a-camera", "the 'camera' extension 'cam/7' is not a camera id" },
    };

    [Theory]
    [MemberData(nameof(Outside))]
    public async Task A_command_naming_a_bundle_outside_its_workflow_copies_nothing_and_fails_with_the_reason(string problem, string expectedError)
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        foreach (var bundle in new[] { "sat-1/wfSecret/preprocess.frame", "sat-1/wfAttacker/preprocess.frame", "sat-1/camera-cam-7/detect.background", "sat-1/camera-cam-8/detect.background" })
        {
            await cluster.SatA.Store.WriteAsync(StateRef.Parse(bundle), SinkCluster.Items(bundle));
        }

        var command = problem switch
        {
            "another-workflow" => Command("wfAttacker", null, "sat-1/wfSecret/preprocess.frame"),
            "own-and-another" => Command("wfAttacker", null, "sat-1/wfAttacker/preprocess.frame", "sat-1/wfSecret/preprocess.frame"),
            "a-stream-without-its-camera" => Command("wfAttacker", null, "sat-1/camera-cam-7/detect.background"),
            "another-cameras-stream" => Command("wfAttacker", "cam-7", "sat-1/camera-cam-7/detect.background", "sat-1/camera-cam-8/detect.background"),
            "no-workflow" => WithoutWorkflow(Command("wfAttacker", null, "sat-1/wfAttacker/preprocess.frame")),
            "not-a-camera" => Command("wfAttacker", "cam/7", "sat-1/wfAttacker/preprocess.frame"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var (reply, data) = await SinkCluster.SendAsync(cluster.Edge, command);

        Assert.Equal(EventTypes.StatePropagated, reply.Type);
        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains(expectedError, data.Error, StringComparison.Ordinal);
        Assert.Equal(0, data.Bytes);
        Assert.Empty(await SinkCluster.ListAsync(cluster.Edge.Store));
        Assert.Equal(0, cluster.SatA.Counters.Peer.FetchRequests);
        Assert.Equal(0, cluster.Edge.Services.GetRequiredService<WantedBundles>().Count);
        Assert.Equal(1, cluster.Edge.Counters.Propagations.Failed);
    }

    [Fact]
    public async Task A_command_copies_its_own_workflows_bundles_with_the_stream_bundles_of_the_camera_it_names()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var frame = StateRef.Parse("sat-1/cam-7-12-a1b2/preprocess.frame");
        var background = StateRef.Parse("sat-1/camera-cam-7/detect.background");
        await cluster.SatA.Store.WriteAsync(frame, SinkCluster.Items("frame"));
        await cluster.SatA.Store.WriteAsync(background, SinkCluster.Items("background"));

        var (reply, data) = await SinkCluster.SendAsync(cluster.Edge, Command("cam-7-12-a1b2", "cam-7", frame.ToString(), background.ToString()));

        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.Null(data.Error);
        Assert.Equal("cam-7-12-a1b2", reply[ExtensionNames.WorkflowId]);
        Assert.Equal("frame", (await cluster.Edge.Store.ReadAsync(frame.On("edge-1")))!.Items.GetString("value"));
        Assert.Equal("background", (await cluster.Edge.Store.ReadAsync(background.On("edge-1")))!.Items.GetString("value"));
    }

    [Fact]
    public async Task A_command_of_a_stream_workflow_copies_that_streams_bundles()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var background = StateRef.Parse("sat-1/camera-cam-7/detect.background");
        await cluster.SatA.Store.WriteAsync(background, SinkCluster.Items("background"));

        var (_, data) = await SinkCluster.SendAsync(cluster.Edge, Command("camera-cam-7", null, background.ToString()));

        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.NotNull(await cluster.Edge.Store.ReadAsync(background.On("edge-1")));
    }

    private static CloudEvent WithoutWorkflow(CloudEvent command)
    {
        command[ExtensionNames.WorkflowId] = null;
        return command;
    }
}
