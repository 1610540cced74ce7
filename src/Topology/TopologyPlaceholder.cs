namespace Skylark.Events.Topology;

/// <summary>Placeholder so the project builds; the topology work fills this library.</summary>
internal static class TopologyPlaceholder
{
}
