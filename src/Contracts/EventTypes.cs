namespace Skylark.Events.Contracts;

/// <summary>CloudEvent <c>type</c> values of the Skylark contract (docs/contracts.md).</summary>
public static class EventTypes
{
    public const string CameraFrame = "io.skylark.camera.frame";
    public const string FunctionCompleted = "io.skylark.function.completed";
    public const string StatePropagate = "io.skylark.state.propagate";
    public const string StatePropagated = "io.skylark.state.propagated";
    public const string AlarmRaised = "io.skylark.alarm.raised";

    /// <summary>A camera message the camera ingest refused, as a dead letter for the dead-letters service.</summary>
    public const string CameraRejected = "io.skylark.camera.rejected";

    /// <summary>Emitted by Knative PingSources; drives periodic sync.</summary>
    public const string Ping = "dev.knative.sources.ping";
}
