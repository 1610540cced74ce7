using k8s.Models;
using Skylark.Events.Contracts;

namespace Skylark.Events.Topology;

/// <summary>
/// Turns Kubernetes Nodes into Skylark <see cref="Node"/>s and the links their annotations declare. Collects every
/// problem instead of stopping at the first, so one pass over the cluster's labels fixes them all.
/// </summary>
internal static class KubernetesNodes
{
    public static (List<Node> Nodes, List<DeclaredLink> Links) Read(
        IEnumerable<V1Node> items, KubernetesTopologyOptions options, List<string> errors)
    {
        var nodes = new List<Node>();
        var links = new List<DeclaredLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // The API lists by name already; sorting again keeps node indexes stable whatever the server does.
        foreach (var item in items.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            if (item.Metadata?.Name is not { Length: > 0 } name)
            {
                errors.Add("a node in the list has no metadata.name.");
                continue;
            }

            var labels = item.Metadata.Labels ?? new Dictionary<string, string>();
            if (!labels.TryGetValue(options.NodeTypeLabel, out var typeText))
            {
                // Only labelled nodes belong to the deployment (the control plane, build nodes… do not).
                continue;
            }

            if (!seen.Add(name))
            {
                errors.Add($"node '{name}' is listed twice.");
                continue;
            }

            var ok = true;
            if (!StateRef.IsValidSegment(name))
            {
                errors.Add($"node '{Shorten(name)}': its name ({name.Length} characters) cannot be a Skylark node name, which appears in "
                    + $"state references and must match {StateRef.SegmentPattern} (at most {StateRef.MaxSegmentLength} characters).");
                ok = false;
            }

            if (!TryParseType(typeText, out var type))
            {
                errors.Add($"node '{Shorten(name)}': label {options.NodeTypeLabel} must be cloud, edge or sat (any case); got '{typeText}'.");
                ok = false;
            }

            var annotations = item.Metadata.Annotations ?? new Dictionary<string, string>();
            var functions = annotations.TryGetValue(options.FunctionsAnnotation, out var listed) && listed is not null
                ? listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [];
            foreach (var twice in functions.GroupBy(f => f, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                errors.Add($"node '{Shorten(name)}': annotation {options.FunctionsAnnotation} lists '{twice.Key}' more than once.");
                ok = false;
            }

            if (annotations.TryGetValue(options.LinksAnnotation, out var declared) && declared is not null)
            {
                links.AddRange(LinkAnnotation.Parse(name, options.LinksAnnotation, declared, errors));
            }

            if (!ok)
            {
                continue;
            }

            try
            {
                nodes.Add(new Node(name, type, labels.ToDictionary(pair => pair.Key, pair => pair.Value ?? "", StringComparer.Ordinal), functions));
            }
            catch (TopologyValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return (nodes, links);
    }

    private static bool TryParseType(string? text, out NodeType type)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "CLOUD":
                type = NodeType.Cloud;
                return true;
            case "EDGE":
                type = NodeType.Edge;
                return true;
            case "SAT":
                type = NodeType.Sat;
                return true;
            default:
                type = default;
                return false;
        }
    }

    private static string Shorten(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");
}
