using Skylark.Events.Cli.Emulation;
using Skylark.Events.StateSink.Pulling;

namespace Skylark.Events.Cli.Up;

/// <summary>
/// How one emulated node reaches another's StateSink: through the link proxy for that pair, so every pull pays the
/// path's latency and bandwidth from the current topology snapshot.
/// </summary>
public sealed class EmulatedSinkDirectory(LinkEmulator links, IReadOnlyDictionary<string, Uri> nodeUrls) : ISinkDirectory
{
    public Uri SinkFor(string fromNode, string toNode)
    {
        if (!nodeUrls.TryGetValue(toNode, out var url))
        {
            throw new KeyNotFoundException($"No StateSink is running for node '{toNode}'.");
        }

        if (fromNode == toNode)
        {
            return url;
        }

        return links.UrlFor(fromNode, toNode, url, TrafficClass.State);
    }
}
