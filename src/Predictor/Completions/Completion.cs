using CloudNative.CloudEvents;
using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Completions;

/// <summary>
/// One <c>io.skylark.function.completed</c>, validated: which function ran where for which workflow, the bundle it
/// produced and where that bundle is held, and the state it read and wrote (from its report in <c>data</c>).
/// <see cref="Event"/> is kept because the Triggers' filters are evaluated against the event itself.
/// A workflow's first event (a camera frame, say) is read as a completion too, of the pseudo-function
/// <c>start:{type}</c> on the node holding its input (<see cref="IsStart"/>): the functions its Triggers invoke are
/// then learned and placed like any successor, and their outputs can be propagated before they finish.
/// </summary>
public sealed record Completion
{
    public Completion(
        CloudEvent @event,
        string function,
        string workflowId,
        string node,
        DateTimeOffset time,
        StateRef? stateKey = null,
        string? holder = null,
        string? camera = null,
        long? outputBytes = null,
        IReadOnlyList<BundleRead>? reads = null,
        IReadOnlyList<BundleWrite>? writes = null,
        double? elapsedMs = null,
        bool isStart = false)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(function);
        if (!StateRef.IsValidSegment(workflowId))
        {
            throw new ArgumentException($"workflow id '{workflowId}' must match {StateRef.SegmentPattern}.", nameof(workflowId));
        }

        if (!StateRef.IsValidSegment(node))
        {
            throw new ArgumentException($"node '{node}' must match {StateRef.SegmentPattern}.", nameof(node));
        }

        Event = @event;
        Function = function;
        WorkflowId = workflowId;
        Node = node;
        Time = time;
        StateKey = stateKey;
        Holder = holder ?? stateKey?.Node ?? node;
        Camera = camera;
        OutputBytes = outputBytes;
        Reads = reads ?? [];
        Writes = writes ?? [];
        ElapsedMs = elapsedMs;
        IsStart = isStart;
    }

    /// <summary>Prefix of the pseudo-function a workflow start is read as; no Knative Service name contains ':'.</summary>
    public const string StartPrefix = "start:";

    public CloudEvent Event { get; }

    public string Id => Event.Id ?? "";

    /// <summary>The function that completed (extension <c>function</c>).</summary>
    public string Function { get; }

    public string WorkflowId { get; }

    /// <summary>Where the function ran (extension <c>node</c>).</summary>
    public string Node { get; }

    /// <summary>When it completed: the event's <c>time</c>, or when it was received.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The output bundle the successor reads (extension <c>statekey</c>); null when it produced none.</summary>
    public StateRef? StateKey { get; }

    /// <summary>The node holding <see cref="StateKey"/> (extension <c>statenode</c>, else the StateRef's node, else <see cref="Node"/>).</summary>
    public string Holder { get; }

    public string? Camera { get; }

    /// <summary>Size of <see cref="StateKey"/> in bytes, when the report says.</summary>
    public long? OutputBytes { get; }

    public IReadOnlyList<BundleRead> Reads { get; }

    public IReadOnlyList<BundleWrite> Writes { get; }

    /// <summary>The event starts a workflow rather than reporting a function: <see cref="Function"/> is <c>start:{type}</c>.</summary>
    public bool IsStart { get; }

    /// <summary>Time already spent in the workflow step, ms, when the report says; counted against the SLO.</summary>
    public double? ElapsedMs { get; }
}
