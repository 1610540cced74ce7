using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Skylark.Events.Topology;

/// <summary>
/// Reads a topology YAML file (format: docs/topology.md). Every problem found is reported at once in a
/// <see cref="TopologyValidationException"/> whose messages name the file and the place (<c>links[3]</c>).
/// </summary>
public static partial class TopologyLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static NetworkTopology Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TopologyValidationException(path, [$"cannot read the file: {ex.Message}"]);
        }

        return Parse(yaml, path);
    }

    /// <param name="yaml">The document text.</param>
    /// <param name="source">Shown in error messages (a file path); also the default topology name.</param>
    public static NetworkTopology Parse(string yaml, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        TopologyDocument? document;
        try
        {
            document = Deserializer.Deserialize<TopologyDocument?>(yaml);
        }
        catch (YamlException ex)
        {
            throw new TopologyValidationException(source, [$"line {ex.Start.Line}, column {ex.Start.Column}: {Explain(Innermost(ex))}"]);
        }

        if (document is null)
        {
            throw new TopologyValidationException(source, ["the document is empty; expected 'nodes' and 'links' or 'snapshots'."]);
        }

        var errors = new List<string>();
        var nodes = ReadNodes(document.Nodes, errors);
        var links = ReadLinks(document.Links, "links", errors);
        var snapshots = new List<TopologySnapshot>();
        for (var s = 0; s < (document.Snapshots?.Count ?? 0); s++)
        {
            var where = $"snapshots[{s}]";
            if (document.Snapshots![s] is not { } snapshot)
            {
                errors.Add($"{where} is empty.");
                continue;
            }

            if (snapshot.Links is null)
            {
                errors.Add($"{where}: 'links' is required (the full link set while this snapshot holds).");
                continue;
            }

            var snapshotLinks = ReadLinks(snapshot.Links, $"{where} links", errors);
            Collect(errors, where, () => snapshots.Add(new TopologySnapshot(snapshot.Name ?? $"snapshot-{s}", snapshotLinks)));
        }

        TimeSpan? period = null;
        if (document.SnapshotPeriodSeconds is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                errors.Add($"snapshotPeriodSeconds must be a positive number of seconds, got {seconds}.");
            }
            else
            {
                period = TimeSpan.FromSeconds(seconds);
            }
        }

        if (errors.Count == 0)
        {
            try
            {
                return new NetworkTopology(nodes, links, snapshots, period, document.Name ?? DefaultName(source));
            }
            catch (TopologyValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        throw new TopologyValidationException(source, errors);
    }

    private static List<Node> ReadNodes(List<NodeDocument?>? documents, List<string> errors)
    {
        var nodes = new List<Node>();
        if (documents is null || documents.Count == 0)
        {
            errors.Add("nodes: at least one node is required.");
            return nodes;
        }

        for (var i = 0; i < documents.Count; i++)
        {
            var where = $"nodes[{i}]";
            if (documents[i] is not { } node)
            {
                errors.Add($"{where} is empty.");
                continue;
            }

            if (node.Name is null)
            {
                errors.Add($"{where}: 'name' is required.");
                continue;
            }

            if (!TryParseType(node.Type, out var type))
            {
                errors.Add($"{where} ({node.Name}): 'type' must be one of cloud, edge, sat; got '{node.Type}'.");
                continue;
            }

            var labels = node.Labels?.ToDictionary(pair => pair.Key, pair => pair.Value ?? "", StringComparer.Ordinal);
            Collect(errors, where, () => nodes.Add(new Node(node.Name, type, labels, node.Functions?.Select(f => f ?? ""))));
        }

        return nodes;
    }

    private static List<Link> ReadLinks(List<LinkDocument?>? documents, string where, List<string> errors)
    {
        var links = new List<Link>();
        for (var i = 0; i < (documents?.Count ?? 0); i++)
        {
            var at = $"{where}[{i}]";
            if (documents![i] is not { } link)
            {
                errors.Add($"{at} is empty.");
                continue;
            }

            var missing = new[] { ("a", link.A is null), ("b", link.B is null), ("latencyMs", link.LatencyMs is null), ("bandwidthMbps", link.BandwidthMbps is null) }
                .Where(field => field.Item2)
                .Select(field => $"'{field.Item1}'")
                .ToList();
            if (missing.Count > 0)
            {
                errors.Add($"{at}: {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} required.");
                continue;
            }

            Collect(errors, at, () => links.Add(new Link(link.A!, link.B!, link.LatencyMs!.Value, link.BandwidthMbps!.Value)));
        }

        return links;
    }

    private static bool TryParseType(string? text, out NodeType type)
    {
        type = default;
        return text is { Length: > 0 } && char.IsLetter(text[0]) && Enum.TryParse(text, ignoreCase: true, out type);
    }

    private static void Collect(List<string> errors, string where, Action build)
    {
        try
        {
            build();
        }
        catch (TopologyValidationException ex)
        {
            errors.AddRange(ex.Errors.Select(e => $"{where}: {e}"));
        }
    }

    /// <summary>Deserializer messages name our internal document types; say it in the file's terms instead.</summary>
    private static string Explain(Exception ex)
    {
        var unknown = UnknownField().Match(ex.Message);
        if (unknown.Success)
        {
            var where = unknown.Groups[2].Value is { Length: > 0 } owner ? $" in a {owner.ToLowerInvariant()}" : "";
            return $"unknown field '{unknown.Groups[1].Value}'{where} (fields are case-sensitive camelCase; see docs/topology.md).";
        }

        return ex switch
        {
            FormatException or OverflowException => $"not a valid number: {ex.Message}",
            InvalidCastException => "this value has the wrong shape for its field (e.g. a scalar where a list is expected; see docs/topology.md).",
            YamlException when ex.Message.StartsWith("No node deserializer", StringComparison.Ordinal) =>
                "this value has the wrong shape for its field (e.g. a list where a name is expected; see docs/topology.md).",
            _ => ex.Message,
        };
    }

    [GeneratedRegex(@"^Property '([^']+)' not found on type '[^']*?\.?(?:(Node|Link|Snapshot|Topology)Document)?'", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownField();

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static string DefaultName(string? source) =>
        source is null ? "topology" : Path.GetFileNameWithoutExtension(source) is { Length: > 0 } name ? name : "topology";
}
