namespace Skylark.Events.Predictor.Planning;

/// <summary>Where a successor's expected node came from.</summary>
public enum NodeSource
{
    /// <summary>No history and no election possible (no topology, or no node hosts the function).</summary>
    Unknown,

    /// <summary>Learned from where the function ran after this predecessor node (and snapshot).</summary>
    History,

    /// <summary>No history: the nearest node hosting the function, with the target elected along the path to it.</summary>
    Election,

    /// <summary>
    /// The Databelt policy: the node the topology statically places the function on (docs/databelt.md), with the
    /// target elected along the path to it; nothing learned.
    /// </summary>
    Static,
}
