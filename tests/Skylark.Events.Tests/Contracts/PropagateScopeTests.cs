using Skylark.Events.Contracts;

namespace Skylark.Events.Tests.Contracts;

/// <summary>The workflow boundary of a propagate command: its own workflow, and the stream workflow of its camera.</summary>
public sealed class PropagateScopeTests
{
    [Theory]
    [InlineData("wf", null, "n/wf/a", true)]
    [InlineData("wf", null, "n/other/a", false)]
    [InlineData("wf", null, "n/camera-cam-7/detect.background", false)]
    [InlineData("wf", "cam-7", "n/camera-cam-7/detect.background", true)]
    [InlineData("wf", "cam-7", "n/camera-cam-8/detect.background", false)]
    [InlineData("camera-cam-7", null, "n/camera-cam-7/detect.background", true)]
    [InlineData(null, null, "n/wf/a", false)]
    [InlineData("", "", "n/camera-/a", false)]
    public void A_command_admits_its_own_workflow_and_its_cameras_stream_only(string? workflowId, string? camera, string bundle, bool admitted) =>
        Assert.Equal(admitted, PropagateScope.Admits(workflowId, camera, StateRef.Parse(bundle)));

    [Fact]
    public void Reads_of_a_frame_and_its_cameras_stream_fit_one_command_and_other_workflows_get_their_own()
    {
        var parts = PropagateScope.Partition(
        [
            StateRef.Parse("n/frame-1/preprocess.frame"),
            StateRef.Parse("n/camera-cam-7/detect.background"),
            StateRef.Parse("n/frame-2/preprocess.frame"),
            StateRef.Parse("n/camera-cam-7/detect.settings"),
            StateRef.Parse("n/camera-cam-8/detect.background"),
        ]);

        Assert.Equal(
            [
                ("frame-1", (string?)"cam-7", "n/frame-1/preprocess.frame n/camera-cam-7/detect.background n/camera-cam-7/detect.settings"),
                ("frame-2", "cam-8", "n/frame-2/preprocess.frame n/camera-cam-8/detect.background"),
            ],
            parts.Select(p => (p.WorkflowId, p.Camera, string.Join(' ', p.Bundles))));
        Assert.All(parts, part => Assert.All(part.Bundles, b => Assert.True(PropagateScope.Admits(part.WorkflowId, part.Camera, b))));
    }

    [Fact]
    public void Stream_bundles_alone_are_commands_of_their_own_stream_workflows()
    {
        var parts = PropagateScope.Partition([StateRef.Parse("n/camera-cam-7/a"), StateRef.Parse("n/camera-cam-8/a")]);

        Assert.Equal([("camera-cam-7", (string?)null), ("camera-cam-8", null)], parts.Select(p => (p.WorkflowId, p.Camera)));
    }
}
