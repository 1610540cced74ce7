namespace Skylark.Events.Predictor.Election;

/// <summary>How an election ended. Only <see cref="Elected"/> leads to a propagation.</summary>
public enum ElectionOutcome
{
    /// <summary>A node other than the holder fits the objective; the farthest one along the path was chosen.</summary>
    Elected,

    /// <summary>The destination is the node that already holds the state: nothing to move.</summary>
    AtHolder,

    /// <summary>The time already spent exceeds the objective's max latency, so no transfer can meet it.</summary>
    SloAlreadyMissed,

    /// <summary>No path leads from the holder to the destination in the current snapshot.</summary>
    Unreachable,

    /// <summary>Every node along the path misses the objective or leaves range: the state stays where it is.</summary>
    NothingFits,
}
