using System.Collections.Concurrent;

namespace Skylark.Events.StateSink.Sync;

/// <summary>The latest <see cref="LinkEstimate"/> per neighbour; read by the metrics endpoint and whoever plans transfers.</summary>
public sealed class LinkEstimates
{
    private readonly ConcurrentDictionary<string, LinkEstimate> _byNode = new(StringComparer.Ordinal);

    public bool TryGet(string node, out LinkEstimate? estimate) => _byNode.TryGetValue(node, out estimate);

    public void Record(LinkEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        _byNode[estimate.Node] = estimate;
    }

    /// <summary>Keeps the last good figures but marks the link as failing now.</summary>
    public void RecordFailure(string node, string error, DateTimeOffset at)
    {
        _byNode.AddOrUpdate(
            node,
            n => new LinkEstimate(n, 0, 0, 0, at, error),
            (_, previous) => previous with { MeasuredAt = at, Error = error });
    }

    /// <summary>Forgets nodes that are no longer neighbours.</summary>
    public void RetainOnly(IReadOnlyCollection<string> nodes)
    {
        foreach (var node in _byNode.Keys)
        {
            if (!nodes.Contains(node))
            {
                _byNode.TryRemove(node, out _);
            }
        }
    }

    public IReadOnlyList<LinkEstimate> Snapshot() => [.. _byNode.Values.OrderBy(e => e.Node, StringComparer.Ordinal)];
}
