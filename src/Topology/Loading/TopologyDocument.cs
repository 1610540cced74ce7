namespace Skylark.Events.Topology;

// The YAML shape of a topology file (docs/topology.md). Every field is optional here so that a
// missing one becomes a readable "is required" error instead of a deserializer exception.

internal sealed class TopologyDocument
{
    public string? Name { get; set; }

    public double? SnapshotPeriodSeconds { get; set; }

    public List<NodeDocument?>? Nodes { get; set; }

    public List<LinkDocument?>? Links { get; set; }

    public List<SnapshotDocument?>? Snapshots { get; set; }
}

internal sealed class NodeDocument
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public Dictionary<string, string?>? Labels { get; set; }

    public List<string?>? Functions { get; set; }
}

internal sealed class LinkDocument
{
    public string? A { get; set; }

    public string? B { get; set; }

    public double? LatencyMs { get; set; }

    public double? BandwidthMbps { get; set; }
}

internal sealed class SnapshotDocument
{
    public string? Name { get; set; }

    public List<LinkDocument?>? Links { get; set; }
}
