using System.Diagnostics.CodeAnalysis;
using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// Long-lived per-camera state (background model, alarm state, per-camera configuration) lives in the stream workflow
/// <c>camera-{camera}</c>, beside the short-lived per-frame workflows, so it outlives any one frame and the StateSink
/// can propagate it like any other bundle.
/// </summary>
public static class CameraStreams
{
    public const string WorkflowPrefix = PropagateScope.StreamWorkflowPrefix;

    /// <summary>Longest camera id whose stream workflow id still fits a StateRef segment.</summary>
    public const int MaxCameraLength = StateRef.MaxSegmentLength - 7;

    public static bool IsValidCamera([NotNullWhen(true)] string? camera) =>
        camera is not null && camera.Length <= MaxCameraLength && StateRef.IsValidSegment(camera);

    /// <summary>The stream workflow id of <paramref name="camera"/>.</summary>
    /// <exception cref="ArgumentException">Not a valid camera id.</exception>
    public static string WorkflowId(string camera) =>
        IsValidCamera(camera)
            ? WorkflowPrefix + camera
            : throw new ArgumentException(
                $"Camera id '{camera}' must match {StateRef.SegmentPattern} and be at most {MaxCameraLength} characters.", nameof(camera));

    /// <summary>The bundle <paramref name="bundle"/> of <paramref name="camera"/>'s stream on <paramref name="node"/>.</summary>
    public static StateRef Ref(string node, string camera, string bundle) => new(node, WorkflowId(camera), bundle);
}
