namespace Skylark.Events.Benchmarks;

/// <summary>Where the bundles are relative to the reader.</summary>
public enum FusionPlacement
{
    /// <summary>Held by the cloud node; the reader (a satellite) pulls across the ground link.</summary>
    Cloud,

    /// <summary>Held by a neighbouring satellite, one inter-satellite hop away.</summary>
    Neighbour,

    /// <summary>Held by the reader's own node: local Redis reads, no link.</summary>
    Local,
}
