using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.StateSink;

/// <summary>
/// Counters of one sink: what propagation moved, what the peer API served, what the periodic sync did.
/// Lock-free; one instance per sink (several sinks in one process each have their own).
/// </summary>
public sealed class StateSinkMetrics
{
    private long _propagationsPulled;
    private long _propagationsSkipped;
    private long _propagationsFailed;

    private long _pullRequests;
    private long _pullFailures;
    private long _bundlesPulled;
    private long _bytesPulled;
    private long _pullMicroseconds;
    private long _pullMaxMicroseconds;

    private long _peerBundleRequests;
    private long _peerFetchRequests;
    private long _peerServed;
    private long _peerBytesServed;
    private long _peerNotModified;
    private long _peerNotFound;
    private long _peerUnauthorized;
    private long _peerProbesServed;
    private long _peerStreamedFetches;
    private long _peerStreamed;
    private long _peerStreamsAborted;
    private long _streamedPulls;

    private long _syncRuns;
    private long _syncSkipped;
    private long _probes;
    private long _probeFailures;
    private long _repulled;
    private long _evicted;
    private long _evictedBytes;
    private long _expired;

    public void RecordPropagation(string outcome)
    {
        switch (outcome)
        {
            case PropagationOutcomes.Pulled:
                Interlocked.Increment(ref _propagationsPulled);
                break;
            case PropagationOutcomes.Skipped:
                Interlocked.Increment(ref _propagationsSkipped);
                break;
            default:
                Interlocked.Increment(ref _propagationsFailed);
                break;
        }
    }

    /// <summary>One request this sink made to another sink that returned bundles (a fused fetch or a single GET).</summary>
    public void RecordPull(int bundles, long bytes, TimeSpan duration)
    {
        Interlocked.Increment(ref _pullRequests);
        Interlocked.Add(ref _bundlesPulled, bundles);
        Interlocked.Add(ref _bytesPulled, bytes);
        var micros = (long)duration.TotalMicroseconds;
        Interlocked.Add(ref _pullMicroseconds, micros);
        var max = Interlocked.Read(ref _pullMaxMicroseconds);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _pullMaxMicroseconds, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    public void RecordPullFailure() => Interlocked.Increment(ref _pullFailures);

    public void RecordPeerBundleRequest() => Interlocked.Increment(ref _peerBundleRequests);

    public void RecordPeerFetchRequest() => Interlocked.Increment(ref _peerFetchRequests);

    /// <summary>Bundles this sink sent to another sink, with their item bytes.</summary>
    public void RecordServed(int bundles, long bytes)
    {
        Interlocked.Add(ref _peerServed, bundles);
        Interlocked.Add(ref _peerBytesServed, bytes);
    }

    /// <summary>A waiting fetch answered in format version 2, streaming a bundle while it was written.</summary>
    public void RecordStreamedFetch() => Interlocked.Increment(ref _peerStreamedFetches);

    /// <summary>Bundles this sink streamed item by item while they were written, up to their commit.</summary>
    public void RecordStreamed(int bundles) => Interlocked.Add(ref _peerStreamed, bundles);

    /// <summary>A streamed bundle this sink ended with an abort (write abandoned or replaced, wait over, shutdown, Redis failed).</summary>
    public void RecordStreamAborted() => Interlocked.Increment(ref _peerStreamsAborted);

    /// <summary>Bundles this sink received item by item, staged and committed here.</summary>
    public void RecordStreamedPull(int bundles) => Interlocked.Add(ref _streamedPulls, bundles);

    public void RecordNotModified(int bundles) => Interlocked.Add(ref _peerNotModified, bundles);

    public void RecordNotFound(int bundles) => Interlocked.Add(ref _peerNotFound, bundles);

    public void RecordUnauthorized() => Interlocked.Increment(ref _peerUnauthorized);

    public void RecordProbeServed() => Interlocked.Increment(ref _peerProbesServed);

    public void RecordSyncRun() => Interlocked.Increment(ref _syncRuns);

    /// <summary>A ping arrived while a sync was still running and was not started again.</summary>
    public void RecordSyncSkipped() => Interlocked.Increment(ref _syncSkipped);

    public void RecordProbe(bool succeeded)
    {
        Interlocked.Increment(ref _probes);
        if (!succeeded)
        {
            Interlocked.Increment(ref _probeFailures);
        }
    }

    public void RecordRepulled(int bundles) => Interlocked.Add(ref _repulled, bundles);

    public void RecordEvicted(int bundles, long bytes)
    {
        Interlocked.Add(ref _evicted, bundles);
        Interlocked.Add(ref _evictedBytes, bytes);
    }

    /// <summary>Copies found gone at a sync (expired by their Redis TTL or deleted by someone else).</summary>
    public void RecordExpired(int bundles) => Interlocked.Add(ref _expired, bundles);

    public StateSinkMetricsSnapshot Snapshot()
    {
        var pulls = Interlocked.Read(ref _pullRequests);
        var micros = Interlocked.Read(ref _pullMicroseconds);
        return new StateSinkMetricsSnapshot(
            new PropagationCounts(
                Interlocked.Read(ref _propagationsPulled),
                Interlocked.Read(ref _propagationsSkipped),
                Interlocked.Read(ref _propagationsFailed)),
            new PullCounts(
                pulls,
                Interlocked.Read(ref _pullFailures),
                Interlocked.Read(ref _bundlesPulled),
                Interlocked.Read(ref _bytesPulled),
                micros / 1000.0,
                pulls == 0 ? 0 : micros / 1000.0 / pulls,
                Interlocked.Read(ref _pullMaxMicroseconds) / 1000.0,
                Interlocked.Read(ref _streamedPulls)),
            new PeerCounts(
                Interlocked.Read(ref _peerBundleRequests),
                Interlocked.Read(ref _peerFetchRequests),
                Interlocked.Read(ref _peerServed),
                Interlocked.Read(ref _peerBytesServed),
                Interlocked.Read(ref _peerNotModified),
                Interlocked.Read(ref _peerNotFound),
                Interlocked.Read(ref _peerUnauthorized),
                Interlocked.Read(ref _peerProbesServed),
                Interlocked.Read(ref _peerStreamedFetches),
                Interlocked.Read(ref _peerStreamed),
                Interlocked.Read(ref _peerStreamsAborted)),
            new SyncCounts(
                Interlocked.Read(ref _syncRuns),
                Interlocked.Read(ref _syncSkipped),
                Interlocked.Read(ref _probes),
                Interlocked.Read(ref _probeFailures),
                Interlocked.Read(ref _repulled),
                Interlocked.Read(ref _evicted),
                Interlocked.Read(ref _evictedBytes),
                Interlocked.Read(ref _expired)));
    }
}

public sealed record StateSinkMetricsSnapshot(PropagationCounts Propagations, PullCounts Pulls, PeerCounts Peer, SyncCounts Sync);

/// <summary>Propagate commands answered, by outcome.</summary>
public sealed record PropagationCounts(long Pulled, long Skipped, long Failed);

/// <summary>Requests this sink made to other sinks for bundles, and what they brought (<see cref="Streamed"/>: bundles received item by item while they were written).</summary>
public sealed record PullCounts(long Requests, long Failures, long Bundles, long Bytes, double TotalMs, double MeanMs, double MaxMs, long Streamed);

/// <summary>
/// What this sink's peer API served to other sinks. <see cref="StreamedFetches"/>: waiting fetches answered while a
/// bundle was being written; <see cref="Streamed"/>: bundles streamed up to their commit (also counted in
/// <see cref="Served"/>); <see cref="StreamsAborted"/>: streamed bundles ended with an abort.
/// </summary>
public sealed record PeerCounts(
    long BundleRequests,
    long FetchRequests,
    long Served,
    long BytesServed,
    long NotModified,
    long NotFound,
    long Unauthorized,
    long ProbesServed,
    long StreamedFetches,
    long Streamed,
    long StreamsAborted);

public sealed record SyncCounts(
    long Runs,
    long Skipped,
    long Probes,
    long ProbeFailures,
    long Repulled,
    long Evicted,
    long EvictedBytes,
    long Expired);
