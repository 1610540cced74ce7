using Skylark.Events.StateSink.Pulling;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// Measures the links to neighbour sinks through their probe endpoint: a tiny download for the round-trip time, then a
/// larger one (<see cref="StateSinkOptions.ProbeBytes"/>) whose extra time over one round trip gives the throughput.
/// </summary>
public sealed class LinkProber(HttpBundlePuller puller, LinkEstimates estimates, StateSinkMetrics metrics, StateSinkOptions options, TimeProvider? timeProvider = null)
{
    private const int TinyProbeBytes = 1;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Probes every node of <paramref name="neighbours"/> in parallel; returns how many probes failed.</summary>
    public async Task<int> ProbeAsync(IReadOnlyCollection<string> neighbours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        estimates.RetainOnly(neighbours);
        var results = await Task.WhenAll(neighbours.Select(n => ProbeOneAsync(n, cancellationToken))).ConfigureAwait(false);
        return results.Count(ok => !ok);
    }

    private async Task<bool> ProbeOneAsync(string node, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ProbeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var rtt = await puller.ProbeAsync(node, TinyProbeBytes, linked.Token).ConfigureAwait(false);
            var bulk = await puller.ProbeAsync(node, options.ProbeBytes, linked.Token).ConfigureAwait(false);

            // The bulk probe pays one round trip too; what is left is serialisation at the link's rate.
            var transfer = bulk - rtt;
            if (transfer <= TimeSpan.Zero)
            {
                transfer = bulk;
            }

            var mbps = options.ProbeBytes * 8.0 / transfer.TotalSeconds / 1e6;
            estimates.Record(new LinkEstimate(node, rtt.TotalMilliseconds, mbps, options.ProbeBytes, _time.GetUtcNow()));
            metrics.RecordProbe(succeeded: true);
            return true;
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException or IOException or KeyNotFoundException or ArgumentException)
        {
            var reason = error is OperationCanceledException && timeout.IsCancellationRequested
                ? $"no answer within {options.ProbeTimeout}"
                : error.Message;
            estimates.RecordFailure(node, reason, _time.GetUtcNow());
            metrics.RecordProbe(succeeded: false);
            return false;
        }
    }
}
