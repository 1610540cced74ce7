namespace Skylark.Events.Topology;

/// <summary>
/// Nodes, the links between them, and how those links change over time. Immutable and validated
/// at construction: every link names known nodes, names are unique, and a rotating topology has a period.
/// </summary>
/// <remarks>
/// Named <c>NetworkTopology</c> rather than <c>Topology</c> because a type named like its namespace
/// (<c>Skylark.Events.Topology</c>) would be shadowed by that namespace in every <c>Skylark.Events.*</c> file.
/// </remarks>
public sealed class NetworkTopology
{
    /// <summary>The name of the single snapshot of a topology whose links never change.</summary>
    public const string StaticSnapshotName = "static";

    private readonly Dictionary<string, int> _indexByName;

    public NetworkTopology(
        IEnumerable<Node> nodes,
        IEnumerable<Link> links,
        IEnumerable<TopologySnapshot>? snapshots = null,
        TimeSpan? snapshotPeriod = null,
        string name = "topology")
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(links);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new TopologyValidationException("a topology needs a name.");
        }

        Name = name;
        Nodes = nodes.ToList().AsReadOnly();
        Links = links.ToList().AsReadOnly();
        var given = (snapshots ?? []).ToList();
        var errors = new List<string>();

        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Nodes.Count == 0)
        {
            errors.Add("nodes: at least one node is required.");
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            if (Nodes[i] is null)
            {
                errors.Add($"nodes[{i}] is empty.");
            }
            else if (!_indexByName.TryAdd(Nodes[i].Name, i))
            {
                errors.Add($"nodes[{i}]: duplicate node name '{Nodes[i].Name}' (first at nodes[{_indexByName[Nodes[i].Name]}]).");
            }
        }

        if (given.Count > 0 && Links.Count > 0)
        {
            errors.Add("links and snapshots are mutually exclusive: a rotating topology lists every link set under snapshots.");
        }

        if (given.Count > 1 && snapshotPeriod is null)
        {
            errors.Add($"snapshotPeriodSeconds is required when there are {given.Count} snapshots (how long each one lasts).");
        }

        if (snapshotPeriod is { } period && period <= TimeSpan.Zero)
        {
            errors.Add($"snapshotPeriodSeconds must be > 0, got {period.TotalSeconds}.");
        }

        CheckEndpoints(Links, "links", errors);
        var snapshotNames = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < given.Count; s++)
        {
            if (given[s] is not { } snapshot)
            {
                errors.Add($"snapshots[{s}] is empty.");
                continue;
            }

            if (!snapshotNames.TryAdd(snapshot.Name, s))
            {
                errors.Add($"snapshots[{s}]: duplicate snapshot name '{snapshot.Name}' (first at snapshots[{snapshotNames[snapshot.Name]}]).");
            }

            CheckEndpoints(snapshot.Links, $"snapshots[{s}] '{snapshot.Name}' links", errors);
        }

        if (errors.Count > 0)
        {
            throw new TopologyValidationException(null, errors);
        }

        if (given.Count == 0)
        {
            Snapshots = new[] { new TopologySnapshot(StaticSnapshotName, Links) }.AsReadOnly();
            SnapshotPeriod = null;
        }
        else
        {
            Snapshots = given.AsReadOnly();
            SnapshotPeriod = given.Count > 1 ? snapshotPeriod : null;
        }
    }

    public string Name { get; }

    /// <summary>All nodes, in file order; a node's position is its index in path tables and link graphs.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The links of a static topology; empty when the topology rotates through <see cref="Snapshots"/>.</summary>
    public IReadOnlyList<Link> Links { get; }

    /// <summary>
    /// The link sets in rotation order. Never empty: a static topology has one snapshot,
    /// <see cref="StaticSnapshotName"/>, holding <see cref="Links"/>.
    /// </summary>
    public IReadOnlyList<TopologySnapshot> Snapshots { get; }

    /// <summary>How long each snapshot lasts before the next replaces it; null when there is only one.</summary>
    public TimeSpan? SnapshotPeriod { get; }

    public bool IsStatic => Snapshots.Count == 1;

    public int IndexOf(string nodeName) =>
        _indexByName.TryGetValue(nodeName, out var index)
            ? index
            : throw new KeyNotFoundException($"topology '{Name}' has no node '{nodeName}'.");

    public bool Contains(string nodeName) => _indexByName.ContainsKey(nodeName);

    public Node GetNode(string nodeName) => Nodes[IndexOf(nodeName)];

    public bool TryGetNode(string nodeName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Node? node)
    {
        node = _indexByName.TryGetValue(nodeName, out var index) ? Nodes[index] : null;
        return node is not null;
    }

    /// <summary>Nodes that host <paramref name="function"/>, in file order.</summary>
    public IReadOnlyList<Node> NodesHosting(string function) => Nodes.Where(n => n.Hosts(function)).ToList();

    public IReadOnlyList<Node> NodesOfType(NodeType type) => Nodes.Where(n => n.Type == type).ToList();

    public TopologySnapshot GetSnapshot(string snapshotName) =>
        Snapshots.FirstOrDefault(s => s.Name == snapshotName)
        ?? throw new KeyNotFoundException($"topology '{Name}' has no snapshot '{snapshotName}'.");

    /// <summary>
    /// True when <paramref name="other"/> describes the same deployment: name, nodes (with labels and functions),
    /// period and every snapshot's links, in order. A refresher uses it to keep what it built when nothing changed.
    /// </summary>
    public bool SameAs(NetworkTopology other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other)
            || (Name == other.Name
                && SnapshotPeriod == other.SnapshotPeriod
                && Nodes.SequenceEqual(other.Nodes)
                && Snapshots.Count == other.Snapshots.Count
                && Snapshots.Zip(other.Snapshots).All(pair => pair.First.Name == pair.Second.Name && pair.First.Links.SequenceEqual(pair.Second.Links)));
    }

    public override string ToString() => $"{Name}: {Nodes.Count} nodes, {Snapshots.Count} snapshot(s)";

    private void CheckEndpoints(IReadOnlyList<Link> links, string where, List<string> errors)
    {
        var pairs = new Dictionary<(string, string), int>();
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i] is not { } link)
            {
                errors.Add($"{where}[{i}] is empty.");
                continue;
            }

            var pair = string.CompareOrdinal(link.A, link.B) <= 0 ? (link.A, link.B) : (link.B, link.A);
            if (!pairs.TryAdd(pair, i))
            {
                errors.Add($"{where}[{i}] ({link.A}–{link.B}) duplicates {where}[{pairs[pair]}]; at most one link per pair of nodes.");
            }

            foreach (var end in new[] { link.A, link.B }.Distinct(StringComparer.Ordinal))
            {
                if (!_indexByName.ContainsKey(end))
                {
                    errors.Add($"{where}[{i}] ({link.A}–{link.B}): unknown node '{end}'.");
                }
            }
        }
    }
}
