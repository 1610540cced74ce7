namespace Skylark.Events.Contracts;

/// <summary>
/// The workflow boundary of an <c>io.skylark.state.propagate</c> command (docs/contracts.md): it may name the bundles of
/// the workflow its <c>workflowid</c> extension names, and those of the stream workflow <c>camera-{camera}</c> of the
/// camera its <c>camera</c> extension names (the long-lived per-camera state a frame's functions read beside the
/// frame). Any other bundle is refused, so a command about one workflow cannot copy another workflow's state.
/// </summary>
public static class PropagateScope
{
    /// <summary>Prefix of a camera's stream workflow id; the camera id follows it.</summary>
    public const string StreamWorkflowPrefix = "camera-";

    /// <summary>The stream workflow of <paramref name="camera"/>; null when there is no camera or it cannot name one.</summary>
    public static string? StreamWorkflowOf(string? camera)
    {
        if (string.IsNullOrEmpty(camera) || !StateRef.IsValidSegment(camera))
        {
            return null;
        }

        var workflowId = StreamWorkflowPrefix + camera;
        return StateRef.IsValidSegment(workflowId) ? workflowId : null;
    }

    /// <summary>True when a command of <paramref name="workflowId"/> (about <paramref name="camera"/>, if given) may name <paramref name="bundle"/>.</summary>
    public static bool Admits(string? workflowId, string? camera, StateRef bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return (!string.IsNullOrEmpty(workflowId) && string.Equals(bundle.WorkflowId, workflowId, StringComparison.Ordinal))
            || string.Equals(bundle.WorkflowId, StreamWorkflowOf(camera), StringComparison.Ordinal);
    }

    /// <summary>
    /// Splits <paramref name="bundles"/> into as few commands as the boundary allows, in the order first named: one per
    /// workflow, except that the stream bundles of one camera ride along with the first other workflow (its
    /// <c>camera</c> set), as a function's reads of a frame and its camera's state do. Every part is non-empty.
    /// </summary>
    public static IReadOnlyList<PropagateScopePart> Partition(IReadOnlyList<StateRef> bundles)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        var byWorkflow = bundles.GroupBy(b => b.WorkflowId, StringComparer.Ordinal).ToList();
        var parts = new List<PropagateScopePart>(byWorkflow.Count);
        var streams = new List<IGrouping<string, StateRef>>();
        foreach (var group in byWorkflow)
        {
            if (CameraOf(group.Key) is not null)
            {
                streams.Add(group);
            }
            else
            {
                parts.Add(new PropagateScopePart(group.Key, null, [.. group]));
            }
        }

        foreach (var stream in streams)
        {
            var index = parts.FindIndex(p => p.Camera is null && CameraOf(p.WorkflowId) is null);
            if (index >= 0)
            {
                parts[index] = parts[index] with { Camera = CameraOf(stream.Key), Bundles = [.. parts[index].Bundles, .. stream] };
            }
            else
            {
                parts.Add(new PropagateScopePart(stream.Key, null, [.. stream]));
            }
        }

        return parts;
    }

    /// <summary>The camera whose stream workflow <paramref name="workflowId"/> is; null when it is not one.</summary>
    public static string? CameraOf(string workflowId)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        if (!workflowId.StartsWith(StreamWorkflowPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var camera = workflowId[StreamWorkflowPrefix.Length..];
        return camera.Length > 0 && StateRef.IsValidSegment(camera) ? camera : null;
    }
}

/// <summary>One command's worth of bundles within the workflow boundary: its <c>workflowid</c> and <c>camera</c> extensions.</summary>
public sealed record PropagateScopePart(string WorkflowId, string? Camera, IReadOnlyList<StateRef> Bundles);
