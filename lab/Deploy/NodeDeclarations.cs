using System.Globalization;
using System.Text;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Deploy;

/// <summary>What one Kubernetes Node must carry for the topology to be read from the API: its labels and annotations.</summary>
public sealed record NodeDeclaration(string Node, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

/// <summary>
/// The topology as node labels and annotations (docs/topology.md, "Topology from Kubernetes"), for
/// <c>--topology-source kubernetes</c>: the node type and the topology's own labels, the hosted functions, and each
/// link declared once, by its first end. The API has no snapshots, so a rotating topology is declared as its first one.
/// </summary>
public static class NodeDeclarations
{
    public static IReadOnlyList<NodeDeclaration> For(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var names = new KubernetesTopologyOptions();
        var links = topology.Snapshots[0].Links;
        return [.. topology.Nodes.Select(node =>
        {
            var labels = new SortedDictionary<string, string>(node.Labels.ToDictionary(), StringComparer.Ordinal)
            {
                [names.NodeTypeLabel] = node.Type.ToString().ToLowerInvariant(),
            };
            var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (node.Functions.Count > 0)
            {
                annotations[names.FunctionsAnnotation] = string.Join(",", node.Functions);
            }

            var declared = links.Where(l => l.A == node.Name).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.B}={l.LatencyMs:0.###}ms/{l.BandwidthMbps:0.###}Mbps")).ToList();
            if (declared.Count > 0)
            {
                annotations[names.LinksAnnotation] = string.Join(",", declared);
            }

            return new NodeDeclaration(node.Name, labels, annotations);
        })];
    }

    /// <summary>A script applying <paramref name="declarations"/> with kubectl, replacing what the nodes carried under the same keys.</summary>
    public static string Script(IReadOnlyList<NodeDeclaration> declarations, bool rotating)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        var text = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append("# Declares the topology on the cluster's nodes for --topology-source kubernetes (docs/topology.md).\n");
        if (rotating)
        {
            text.Append("# The topology's links rotate; the Kubernetes API has no snapshots, so these are its first snapshot's.\n");
        }

        text.Append("set -eu\n");
        foreach (var node in declarations)
        {
            text.Append("kubectl label node ").Append(node.Node).Append(" --overwrite");
            foreach (var (key, value) in node.Labels)
            {
                text.Append(' ').Append(Quoted($"{key}={value}"));
            }

            text.Append('\n');
            if (node.Annotations.Count > 0)
            {
                text.Append("kubectl annotate node ").Append(node.Node).Append(" --overwrite");
                foreach (var (key, value) in node.Annotations)
                {
                    text.Append(' ').Append(Quoted($"{key}={value}"));
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Quoted(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
