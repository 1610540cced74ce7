using System.Globalization;
using System.Text.RegularExpressions;

namespace Skylark.Events.Topology;

/// <summary>One link as a node's annotation declares it, seen from that node.</summary>
internal sealed record DeclaredLink(string From, string Peer, double LatencyMs, double BandwidthMbps);

/// <summary>
/// Parses a node's links annotation: comma-separated <c>&lt;peer&gt;=&lt;latency&gt;ms/&lt;bandwidth&gt;Mbps</c>
/// entries, e.g. <c>sat-2=12ms/80Mbps, cloud=35ms/30Mbps</c>. Units are required and exact so a value can never be
/// read in the wrong unit (MBps would be bytes).
/// </summary>
internal static partial class LinkAnnotation
{
    public const string Example = "sat-2=12ms/80Mbps,cloud=35ms/30Mbps";

    public static List<DeclaredLink> Parse(string node, string annotation, string value, List<string> errors)
    {
        var links = new List<DeclaredLink>();
        var entryByPeer = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = value.Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            if (entry.Length == 0)
            {
                // A trailing comma or an empty annotation declares nothing; not worth failing a load for.
                continue;
            }

            var where = $"node '{node}': annotation {annotation} entry {i + 1} '{Truncate(entry)}'";
            var match = Entry().Match(entry);
            if (!match.Success)
            {
                errors.Add($"{where}: expected '<node>=<latency>ms/<bandwidth>Mbps', e.g. '{Example}'.");
                continue;
            }

            var peer = match.Groups["peer"].Value;
            var latency = double.Parse(match.Groups["latency"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var bandwidth = double.Parse(match.Groups["bandwidth"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (string.Equals(peer, node, StringComparison.Ordinal))
            {
                errors.Add($"{where}: a node cannot link to itself.");
            }
            else if (!double.IsFinite(latency) || !double.IsFinite(bandwidth))
            {
                errors.Add($"{where}: latency and bandwidth must be finite numbers.");
            }
            else if (bandwidth <= 0)
            {
                errors.Add($"{where}: bandwidth must be > 0 Mbps.");
            }
            else if (!entryByPeer.TryAdd(peer, i + 1))
            {
                errors.Add($"{where}: '{peer}' is already listed in entry {entryByPeer[peer]}; at most one link per pair of nodes.");
            }
            else
            {
                links.Add(new DeclaredLink(node, peer, latency, bandwidth));
            }
        }

        return links;
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 80), "…");

    [GeneratedRegex(@"^(?<peer>[^=\s]+)\s*=\s*(?<latency>[0-9]+(?:\.[0-9]+)?)\s*ms\s*/\s*(?<bandwidth>[0-9]+(?:\.[0-9]+)?)\s*Mbps$", RegexOptions.CultureInvariant)]
    private static partial Regex Entry();
}
