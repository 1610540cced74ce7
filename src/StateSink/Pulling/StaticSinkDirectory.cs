namespace Skylark.Events.StateSink.Pulling;

/// <summary>A fixed node → sink URL table; the same URL whichever node asks.</summary>
public sealed class StaticSinkDirectory : ISinkDirectory
{
    private readonly Dictionary<string, Uri> _sinks;

    /// <exception cref="ArgumentException">A URL is not an absolute http(s) URL.</exception>
    public StaticSinkDirectory(IEnumerable<KeyValuePair<string, Uri>> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (node, sink) in sinks)
        {
            _sinks[node] = SinkUris.Normalize(sink, node);
        }
    }

    public IReadOnlyCollection<string> Nodes => _sinks.Keys;

    public Uri SinkFor(string fromNode, string toNode) =>
        _sinks.TryGetValue(toNode, out var sink)
            ? sink
            : throw new KeyNotFoundException(
                $"No StateSink URL is configured for node '{toNode}' (known: {(_sinks.Count == 0 ? "none" : string.Join(", ", _sinks.Keys.Order(StringComparer.Ordinal)))}).");
}
