namespace Skylark.Events.Predictor.Election;

/// <summary>
/// Databelt's storage-node election, done correctly: take the lowest-latency path from the node holding the state
/// to the node expected to need it, and choose the node farthest along it whose transfer time fits the objective.
/// </summary>
/// <remarks>
/// What differs from the original <c>apply_skylark_policy</c> (polaris-slo-cloud/databelt, skylark_api/src/policy.rs at
/// commit 1f094ab; the final version divides by 1000·b and ignores the time already spent, docs/databelt.md):
/// <list type="bullet">
/// <item>Units. The original estimated <c>l + size/(100·b) + l</c> in integer arithmetic, with size in bytes and b in
/// Mbit/s: one Mbit/s moves 125 bytes per ms, not 100 (a 25% overestimate), integer division rounded every bundle
/// under 100·b bytes down to 0 ms, and the path latency was counted twice. Here the transfer time is
/// <c>latency_ms + bytes·8 / (Mbit/s·10^6) · 1000</c> in floating point, one-way, as the StateSink's pull sees it once
/// the request is on its way.</item>
/// <item>Bandwidth. The original used one average satellite bandwidth (<c>AVG_SAT_BANDWIDTH</c>) for every path;
/// here each candidate uses the bottleneck of its own route, from each link's own bandwidth.</item>
/// <item>The <c>min_bandwidth</c> objective, which the original loaded but never checked, excludes routes narrower
/// than it.</item>
/// <item>Nodes that lose their connection to the destination in the next snapshot are not elected.</item>
/// <item>An unreachable destination is reported as such; the original answered with the holder itself.</item>
/// <item>The graph is built once per snapshot and the shortest-path trees once per source and snapshot
/// (<see cref="ElectionGraph"/>), not per request; the walk allocates nothing.</item>
/// </list>
/// </remarks>
public static class StateElection
{
    /// <summary>Bytes moved per millisecond by one Mbit/s: 10^6 bit/s ÷ 8 bit/byte ÷ 1000 ms/s.</summary>
    public const double BytesPerMsPerMbps = 125.0;

    /// <summary>One-way transfer time in ms of <paramref name="bytes"/> over a route of the given latency (ms) and bottleneck (Mbit/s).</summary>
    public static double TransferTimeMs(double latencyMs, double bottleneckMbps, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return double.IsPositiveInfinity(bottleneckMbps) ? latencyMs : latencyMs + (bytes / (bottleneckMbps * BytesPerMsPerMbps));
    }

    /// <param name="graph">The current snapshot's precomputed graph.</param>
    /// <param name="holder">Graph index of the node that holds the state.</param>
    /// <param name="destination">Graph index of the node expected to run the next function.</param>
    /// <param name="bytes">Size of what moves, bytes.</param>
    /// <param name="slo">The objective.</param>
    /// <param name="elapsedMs">Time already spent in this step, ms, counted against the objective.</param>
    public static ElectionResult Elect(ElectionGraph graph, int holder, int destination, long bytes, SloSettings slo, double elapsedMs = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(slo);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var n = graph.Graph.NodeCount;
        ArgumentOutOfRangeException.ThrowIfNegative(holder);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(holder, n);
        ArgumentOutOfRangeException.ThrowIfNegative(destination);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(destination, n);

        if (elapsedMs > slo.MaxLatencyMs)
        {
            return ElectionResult.Failed(ElectionOutcome.SloAlreadyMissed);
        }

        if (holder == destination)
        {
            return ElectionResult.Failed(ElectionOutcome.AtHolder);
        }

        var tree = graph.PathsFrom(holder);
        if (!tree.IsReachable(destination))
        {
            return ElectionResult.Failed(ElectionOutcome.Unreachable);
        }

        // Walking the predecessor chain from the destination visits the path's nodes farthest-first, and each node's
        // tree latency and bottleneck are exactly those of the path prefix up to it (prefixes of shortest paths are
        // shortest paths), so the first node that fits is the answer. Every node on the path is settled once the
        // destination is, so the walk reads final figures.
        var budget = slo.MaxLatencyMs - elapsedMs;
        for (var v = destination; v != holder; v = tree.SettledPredecessor(v))
        {
            var bottleneck = tree.SettledBottleneckMbps(v);
            if (bottleneck < slo.MinBandwidthMbps || !graph.StaysConnected(v, destination))
            {
                continue;
            }

            var latency = tree.SettledLatencyMs(v);
            var transfer = TransferTimeMs(latency, bottleneck, bytes);
            if (transfer <= budget)
            {
                return new ElectionResult(ElectionOutcome.Elected, v, latency, bottleneck, transfer);
            }
        }

        return ElectionResult.Failed(ElectionOutcome.NothingFits);
    }

    /// <summary>The same election with node names; unknown names are an error.</summary>
    public static ElectionResult Elect(ElectionGraph graph, string holder, string destination, long bytes, SloSettings slo, double elapsedMs = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Elect(graph, graph.Graph.IndexOf(holder), graph.Graph.IndexOf(destination), bytes, slo, elapsedMs);
    }
}
