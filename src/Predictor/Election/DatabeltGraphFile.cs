using System.Text.Json;
using Skylark.Events.Topology;

namespace Skylark.Events.Predictor.Election;

/// <summary>
/// Databelt's election benchmark graphs (<c>graph_{10,100,1000,10000}.json</c>): a JSON object mapping each node
/// to its outgoing arcs <c>[[neighbour, weight], ...]</c>. The weight is the link latency in ms (the original fed
/// these maps straight into its latency Dijkstra). Arcs are directed; the files carry no bandwidth.
/// </summary>
public static class DatabeltGraphFile
{
    /// <summary>The pairs the original benchmark elected between, per graph size (skylark_elect/src/main.rs).</summary>
    public static IReadOnlyDictionary<int, (string Source, string Destination)> BenchmarkPairs { get; } = new Dictionary<int, (string, string)>
    {
        [10] = ("Node1", "Node6"),
        [100] = ("Node51", "Node58"),
        [1000] = ("Node18", "Node28"),
        [10000] = ("Node3615", "Node5807"),
    };

    /// <param name="path">The JSON file.</param>
    /// <param name="bandwidthMbps">Bandwidth given to every arc (the files have none); +∞ weighs latency only.</param>
    /// <exception cref="FormatException">The file does not have the expected shape; the message says where.</exception>
    public static LinkGraph Load(string path, double bandwidthMbps = double.PositiveInfinity)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        return Parse(json.RootElement, path, bandwidthMbps);
    }

    public static LinkGraph Parse(JsonElement root, string source, double bandwidthMbps = double.PositiveInfinity)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"graph '{source}' must be a JSON object of node -> [[neighbour, weight], ...].");
        }

        var builder = new LinkGraph.Builder();

        // Nodes first, in file order, so indices follow the file even when an arc names a node listed later.
        foreach (var node in root.EnumerateObject())
        {
            builder.AddNode(node.Name);
        }

        foreach (var node in root.EnumerateObject())
        {
            if (node.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"graph '{source}': arcs of '{node.Name}' must be an array.");
            }

            var from = builder.AddNode(node.Name);
            var i = 0;
            foreach (var arc in node.Value.EnumerateArray())
            {
                if (arc.ValueKind != JsonValueKind.Array || arc.GetArrayLength() != 2
                    || arc[0].ValueKind != JsonValueKind.String || arc[1].ValueKind != JsonValueKind.Number)
                {
                    throw new FormatException($"graph '{source}': '{node.Name}'[{i}] must be [\"neighbour\", weight].");
                }

                var weight = arc[1].GetDouble();
                if (!double.IsFinite(weight) || weight < 0)
                {
                    throw new FormatException($"graph '{source}': '{node.Name}'[{i}] has weight {weight}; latencies are ≥ 0.");
                }

                builder.AddArc(from, builder.AddNode(arc[0].GetString()!), weight, bandwidthMbps);
                i++;
            }
        }

        return builder.Build();
    }
}
