using Skylark.Events.Lab.Emulation;
using Skylark.Events.StateSink.Pulling;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// How one emulated node reaches another's StateSink: through the link proxy for that pair, so every pull pays the
/// path's latency and bandwidth from the current topology snapshot.
/// </summary>
public sealed class EmulatedSinkDirectory(LinkEmulator links, IReadOnlyDictionary<string, Uri> nodeUrls) : ISinkDirectory
{
    public Uri SinkFor(string fromNode, string toNode) => Route(fromNode, toNode, TrafficClass.State);

    /// <summary>Link probes are the sync's measurement traffic, driven by the PingSource: counted with the control plane, not as state.</summary>
    public Uri ProbeSinkFor(string fromNode, string toNode) => Route(fromNode, toNode, TrafficClass.Control);

    private Uri Route(string fromNode, string toNode, TrafficClass traffic)
    {
        if (!nodeUrls.TryGetValue(toNode, out var url))
        {
            throw new KeyNotFoundException($"No StateSink is running for node '{toNode}'.");
        }

        if (fromNode == toNode)
        {
            return url;
        }

        return links.UrlFor(fromNode, toNode, url, traffic);
    }
}
