using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Topology;

/// <summary>Paths of the shipped topology files.</summary>
internal static class TopologyFiles
{
    public static string ThreeNodes => RepositoryPaths.InRoot("topologies", "three-nodes.yaml");

    public static string DatabeltTestbed => RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml");

    public static string DatabeltJson => RepositoryPaths.InShared("anchors", "databelt", "topologies.json");

    /// <summary>Satellites in chain order, as listed in every snapshot of topologies.json.</summary>
    public static readonly string[] SatelliteChain = ["pi5u2", "pi5u3", "pi5u4", "pi4u5", "pi4u6", "pi4u8", "pi4p1"];
}
