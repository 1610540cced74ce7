using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>The bundle exists neither locally nor on the node its StateRef names.</summary>
public sealed class StateNotFoundException : StateException
{
    public StateNotFoundException(StateRef stateRef, string? detail = null)
        : base(detail is null ? $"State bundle '{stateRef}' was not found." : $"State bundle '{stateRef}' was not found: {detail}")
    {
        StateRef = stateRef;
    }

    public StateRef StateRef { get; }
}
