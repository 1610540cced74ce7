namespace Skylark.Events.State;

/// <summary>Where a read found its bundle: the measure of whether state was where the function ran.</summary>
public enum StateReadSource
{
    /// <summary>Already in this node's Redis (written here or propagated ahead of time).</summary>
    Local,

    /// <summary>A pull of it was already in flight on this node; the read waited for that pull.</summary>
    Waited,

    /// <summary>The read itself pulled it from the node its StateRef names.</summary>
    Remote,
}
