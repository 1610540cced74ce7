using Skylark.Events.Contracts;

namespace Skylark.Events.Topology;

/// <summary>
/// A machine of the topology: it runs a Redis, a StateSink and the functions it hosts.
/// Its name appears in <see cref="StateRef"/>s, so it follows the same segment rules.
/// </summary>
public sealed record Node
{
    public Node(string name, NodeType type, IReadOnlyDictionary<string, string>? labels = null, IEnumerable<string>? functions = null)
    {
        if (!StateRef.IsValidSegment(name))
        {
            throw new TopologyValidationException($"node name '{name}' must match {StateRef.SegmentPattern} (it is used in state references).");
        }

        if (!Enum.IsDefined(type))
        {
            throw new TopologyValidationException($"node '{name}': unknown type {(int)type}.");
        }

        Name = name;
        Type = type;
        var sortedLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new TopologyValidationException($"node '{name}': a label has an empty key.");
            }

            sortedLabels[key] = value ?? "";
        }

        Labels = sortedLabels.AsReadOnly();

        var hosted = new List<string>();
        foreach (var function in functions ?? [])
        {
            if (string.IsNullOrWhiteSpace(function))
            {
                throw new TopologyValidationException($"node '{name}': a function name is empty.");
            }

            if (hosted.Contains(function, StringComparer.Ordinal))
            {
                throw new TopologyValidationException($"node '{name}': function '{function}' is listed twice.");
            }

            hosted.Add(function);
        }

        Functions = hosted.AsReadOnly();
    }

    public string Name { get; }

    public NodeType Type { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Names of the functions deployed on this node (e.g. <c>preprocess</c>).</summary>
    public IReadOnlyList<string> Functions { get; }

    public bool Hosts(string function) => Functions.Contains(function, StringComparer.Ordinal);

    public bool Equals(Node? other) =>
        other is not null
        && Name == other.Name
        && Type == other.Type
        && Functions.SequenceEqual(other.Functions, StringComparer.Ordinal)
        && Labels.Count == other.Labels.Count
        && Labels.All(pair => other.Labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public override int GetHashCode() => HashCode.Combine(Name, Type);

    public override string ToString() => $"{Name} ({Type})";
}
