namespace Skylark.Events.Topology;

/// <summary>
/// Combines the links each node declares into one undirected link per pair. Either end may declare a link; when both
/// do and disagree, the worse latency and the worse bandwidth win, because promising a transfer time the link cannot
/// keep is worse for prefetching than being pessimistic.
/// </summary>
internal static class LinkMerger
{
    public static List<Link> Merge(IReadOnlySet<string> nodes, IEnumerable<DeclaredLink> declared, KubernetesTopologyOptions options, List<string> warnings)
    {
        var byPair = new SortedDictionary<(string A, string B), List<DeclaredLink>>(PairComparer.Instance);
        foreach (var link in declared)
        {
            if (!nodes.Contains(link.From))
            {
                // The declaring node was rejected; its error already says why.
                continue;
            }

            if (!nodes.Contains(link.Peer))
            {
                warnings.Add($"node '{link.From}': annotation {options.LinksAnnotation} names '{link.Peer}', which is not a Skylark node "
                    + $"(no such Kubernetes node, or it has no {options.NodeTypeLabel} label); that link is left out.");
                continue;
            }

            var pair = string.CompareOrdinal(link.From, link.Peer) <= 0 ? (link.From, link.Peer) : (link.Peer, link.From);
            if (!byPair.TryGetValue(pair, out var ends))
            {
                byPair[pair] = ends = [];
            }

            ends.Add(link);
        }

        var links = new List<Link>(byPair.Count);
        foreach (var ((a, b), ends) in byPair)
        {
            var latency = ends.Max(e => e.LatencyMs);
            var bandwidth = ends.Min(e => e.BandwidthMbps);
            if (ends.Any(e => e.LatencyMs != latency || e.BandwidthMbps != bandwidth))
            {
                var said = string.Join(", ", ends.Select(e => $"{e.From} says {e.LatencyMs} ms/{e.BandwidthMbps} Mbps"));
                warnings.Add($"link {a}–{b}: the ends disagree ({said}); using the worse of each, {latency} ms/{bandwidth} Mbps.");
            }

            links.Add(new Link(a, b, latency, bandwidth));
        }

        return links;
    }

    private sealed class PairComparer : IComparer<(string A, string B)>
    {
        public static PairComparer Instance { get; } = new();

        public int Compare((string A, string B) x, (string A, string B) y) =>
            string.CompareOrdinal(x.A, y.A) is var first and not 0 ? first : string.CompareOrdinal(x.B, y.B);
    }
}
