namespace Skylark.Events.Topology;

/// <summary>Where a node sits in the edge–cloud–space continuum.</summary>
public enum NodeType
{
    Cloud,
    Edge,
    Sat,
}
