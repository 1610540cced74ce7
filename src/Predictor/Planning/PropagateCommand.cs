using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Predictor.Planning;

/// <summary>
/// One <c>io.skylark.state.propagate</c> to emit: its event id, workflow, payload and the bundle bytes it moves, and the
/// camera of the workflow when known, whose stream bundles the command may then name too (docs/contracts.md).
/// </summary>
public sealed record PropagateCommand(string Id, string WorkflowId, StatePropagate Data, long Bytes, string? Camera = null)
{
    public string TargetNode => Data.To;
}
