using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Predictor.Planning;

/// <summary>One <c>io.skylark.state.propagate</c> to emit: its event id, workflow, payload and the bundle bytes it moves.</summary>
public sealed record PropagateCommand(string Id, string WorkflowId, StatePropagate Data, long Bytes)
{
    public string TargetNode => Data.To;
}
