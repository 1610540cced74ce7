using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>The bundle may exist but could not be obtained: a pull failed or timed out, or too many pulls are in flight.</summary>
public sealed class StateUnavailableException : StateException
{
    public StateUnavailableException(StateRef stateRef, string reason, Exception? innerException = null)
        : base($"State bundle '{stateRef}' is unavailable: {reason}", innerException)
    {
        StateRef = stateRef;
    }

    public StateRef StateRef { get; }
}
