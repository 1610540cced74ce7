using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.State;

namespace Skylark.Events.Tests.Functions;

/// <summary>A synthetic camera (two people walking) whose frames are written as bundles, then announced, as a camera bridge does.</summary>
internal static class TestCamera
{
    public static SyntheticScene Scene { get; } = new(5, new SyntheticSceneOptions(objectCount: 2, emptyFrameRate: 0));

    public static ReadOnlyMemory<byte> Jpeg(long seq) => Scene.RenderFrame(seq).Jpeg;

    public static string WorkflowId(string camera, long seq) => $"{camera}-{seq:D6}";

    /// <summary>Writes frame <paramref name="seq"/> on <paramref name="store"/>'s node and returns its camera-frame event.</summary>
    public static async Task<CloudEvent> CaptureAsync(BundleStore store, string camera, long seq, ReadOnlyMemory<byte>? image = null)
    {
        var workflowId = WorkflowId(camera, seq);
        var frame = new StateRef(store.Node, workflowId, CameraFrameBundle.Name);
        await store.WriteAsync(frame, CameraFrameBundle.Create(image ?? Jpeg(seq)));
        return FunctionEvents.CameraFrame(camera, workflowId, frame, seq);
    }
}
