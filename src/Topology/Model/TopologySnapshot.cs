namespace Skylark.Events.Topology;

/// <summary>
/// The complete set of links at one moment. A rotating topology (satellites moving in and out of
/// range) is a sequence of snapshots, each a full replacement of the previous link set.
/// </summary>
public sealed class TopologySnapshot
{
    private readonly Dictionary<(string, string), Link> _byPair;

    public TopologySnapshot(string name, IEnumerable<Link> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new TopologyValidationException("a snapshot needs a name.");
        }

        Name = name;
        var list = new List<Link>();
        _byPair = [];
        foreach (var link in links)
        {
            if (link is null)
            {
                throw new TopologyValidationException($"snapshot '{name}': links[{list.Count}] is empty.");
            }

            if (!_byPair.TryAdd(Key(link.A, link.B), link))
            {
                var first = list.FindIndex(l => l.Connects(link.A, link.B));
                throw new TopologyValidationException(
                    $"snapshot '{name}': links[{list.Count}] {link.A}–{link.B} duplicates links[{first}]; at most one link per pair of nodes.");
            }

            list.Add(link);
        }

        Links = list.AsReadOnly();
    }

    public string Name { get; }

    public IReadOnlyList<Link> Links { get; }

    /// <summary>The direct link between two nodes (either order), or null when they are not adjacent in this snapshot.</summary>
    public Link? FindLink(string a, string b) => _byPair.GetValueOrDefault(Key(a, b));

    /// <summary>Nodes that have at least one link in this snapshot.</summary>
    public IReadOnlySet<string> ConnectedNodes => _connected ??= Links.SelectMany(l => new[] { l.A, l.B }).ToHashSet(StringComparer.Ordinal);

    private HashSet<string>? _connected;

    public override string ToString() => $"{Name} ({Links.Count} links)";

    private static (string, string) Key(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
}
