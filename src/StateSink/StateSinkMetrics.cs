using System.Diagnostics.Metrics;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Hosting;

namespace Skylark.Events.StateSink;

/// <summary>
/// The metrics of one sink, on the meter <see cref="MeterName"/>: what propagation moved, what the peer API served,
/// what the periodic sync did. Exported at <c>/metrics</c>; <see cref="Snapshot"/> reads the same measurements.
/// </summary>
public sealed class StateSinkMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.StateSink";

    private const string Outcome = "outcome";
    private const string Kind = "kind";

    private readonly Counter<long> _propagations;
    private readonly Counter<long> _pulls;
    private readonly Histogram<double> _pullDuration;
    private readonly Counter<long> _pulledBundles;
    private readonly Counter<long> _pulledBytes;
    private readonly Counter<long> _streamedPulls;
    private readonly Counter<long> _peerRequests;
    private readonly Counter<long> _peerBundles;
    private readonly Counter<long> _peerBytes;
    private readonly Counter<long> _syncRuns;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _syncBundles;
    private readonly Counter<long> _evictedBytes;

    public StateSinkMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        _propagations = Meter.CreateCounter<long>("skylark.statesink.propagations", "{command}", "Propagate commands answered, by outcome (pulled, skipped, failed).");
        _pulls = Meter.CreateCounter<long>("skylark.statesink.pulls", "{request}", "Requests to other sinks for bundles, by outcome (ok, failed).");
        _pullDuration = Meter.CreateHistogram<double>("skylark.statesink.pull.duration", "s", "How long a successful pull from another sink took.");
        _pulledBundles = Meter.CreateCounter<long>("skylark.statesink.pulled.bundles", "{bundle}", "Bundles pulled from other sinks.");
        _pulledBytes = Meter.CreateCounter<long>("skylark.statesink.pulled.bytes", "By", "Item bytes of the bundles pulled from other sinks.");
        _streamedPulls = Meter.CreateCounter<long>("skylark.statesink.pulled.streamed", "{bundle}", "Bundles received item by item while their producer wrote them, staged and committed here.");
        _peerRequests = Meter.CreateCounter<long>("skylark.statesink.peer.requests", "{request}", "Requests to the peer API, by kind (bundle, fetch, streamed_fetch: a waiting fetch answered while the bundle was written, probe, unauthorized).");
        _peerBundles = Meter.CreateCounter<long>("skylark.statesink.peer.bundles", "{bundle}", "Bundles the peer API answered, by outcome (served, not_modified, not_found; streamed: sent item by item up to their commit, also counted as served; stream_aborted).");
        _peerBytes = Meter.CreateCounter<long>("skylark.statesink.peer.served.bytes", "By", "Item bytes the peer API sent to other sinks.");
        _syncRuns = Meter.CreateCounter<long>("skylark.statesink.sync.runs", "{run}", "Periodic syncs, by outcome (run, skipped while one was running).");
        _probes = Meter.CreateCounter<long>("skylark.statesink.sync.probes", "{probe}", "Link probes, by outcome (ok, failed).");
        _syncBundles = Meter.CreateCounter<long>("skylark.statesink.sync.bundles", "{bundle}", "Bundles the sync handled, by kind (repulled, evicted, expired).");
        _evictedBytes = Meter.CreateCounter<long>("skylark.statesink.sync.evicted.bytes", "By", "Bytes of copies the sync evicted for the memory budget.");
    }

    public void RecordPropagation(string outcome) =>
        _propagations.Add(1, new KeyValuePair<string, object?>(Outcome, outcome is PropagationOutcomes.Pulled or PropagationOutcomes.Skipped ? outcome : "failed"));

    /// <summary>One request this sink made to another sink that returned bundles (a fused fetch or a single GET).</summary>
    public void RecordPull(int bundles, long bytes, TimeSpan duration)
    {
        _pulls.Add(1, new KeyValuePair<string, object?>(Outcome, "ok"));
        _pullDuration.Record(duration.TotalSeconds);
        _pulledBundles.Add(bundles);
        _pulledBytes.Add(bytes);
    }

    public void RecordPullFailure() => _pulls.Add(1, new KeyValuePair<string, object?>(Outcome, "failed"));

    public void RecordPeerBundleRequest() => PeerRequest("bundle");

    public void RecordPeerFetchRequest() => PeerRequest("fetch");

    /// <summary>Bundles this sink sent to another sink, with their item bytes.</summary>
    public void RecordServed(int bundles, long bytes)
    {
        PeerBundles("served", bundles);
        _peerBytes.Add(bytes);
    }

    /// <summary>A waiting fetch answered in format version 2, streaming a bundle while it was written.</summary>
    public void RecordStreamedFetch() => PeerRequest("streamed_fetch");

    /// <summary>Bundles this sink streamed item by item while they were written, up to their commit.</summary>
    public void RecordStreamed(int bundles) => PeerBundles("streamed", bundles);

    /// <summary>A streamed bundle this sink ended with an abort (write abandoned or replaced, wait over, shutdown, Redis failed).</summary>
    public void RecordStreamAborted() => PeerBundles("stream_aborted", 1);

    /// <summary>Bundles this sink received item by item, staged and committed here.</summary>
    public void RecordStreamedPull(int bundles) => _streamedPulls.Add(bundles);

    public void RecordNotModified(int bundles) => PeerBundles("not_modified", bundles);

    public void RecordNotFound(int bundles) => PeerBundles("not_found", bundles);

    public void RecordUnauthorized() => PeerRequest("unauthorized");

    public void RecordProbeServed() => PeerRequest("probe");

    public void RecordSyncRun() => _syncRuns.Add(1, new KeyValuePair<string, object?>(Outcome, "run"));

    /// <summary>A ping arrived while a sync was still running and was not started again.</summary>
    public void RecordSyncSkipped() => _syncRuns.Add(1, new KeyValuePair<string, object?>(Outcome, "skipped"));

    public void RecordProbe(bool succeeded) => _probes.Add(1, new KeyValuePair<string, object?>(Outcome, succeeded ? "ok" : "failed"));

    public void RecordRepulled(int bundles) => SyncBundles("repulled", bundles);

    public void RecordEvicted(int bundles, long bytes)
    {
        SyncBundles("evicted", bundles);
        _evictedBytes.Add(bytes);
    }

    /// <summary>Copies found gone at a sync (expired by their Redis TTL or deleted by someone else).</summary>
    public void RecordExpired(int bundles) => SyncBundles("expired", bundles);

    public StateSinkMetricsSnapshot Snapshot()
    {
        const string pullDuration = "skylark.statesink.pull.duration";
        var pulled = Totals.Count(pullDuration);
        var totalMs = Totals.SumOf(pullDuration) * 1000;
        return new StateSinkMetricsSnapshot(
            new PropagationCounts(
                Totals.Sum("skylark.statesink.propagations", (Outcome, PropagationOutcomes.Pulled)),
                Totals.Sum("skylark.statesink.propagations", (Outcome, PropagationOutcomes.Skipped)),
                Totals.Sum("skylark.statesink.propagations", (Outcome, "failed"))),
            new PullCounts(
                pulled,
                Totals.Sum("skylark.statesink.pulls", (Outcome, "failed")),
                Totals.Sum("skylark.statesink.pulled.bundles"),
                Totals.Sum("skylark.statesink.pulled.bytes"),
                totalMs,
                pulled == 0 ? 0 : totalMs / pulled,
                Totals.Max(pullDuration) * 1000,
                Totals.Sum("skylark.statesink.pulled.streamed")),
            new PeerCounts(
                Totals.Sum("skylark.statesink.peer.requests", (Kind, "bundle")),
                Totals.Sum("skylark.statesink.peer.requests", (Kind, "fetch")),
                Totals.Sum("skylark.statesink.peer.bundles", (Outcome, "served")),
                Totals.Sum("skylark.statesink.peer.served.bytes"),
                Totals.Sum("skylark.statesink.peer.bundles", (Outcome, "not_modified")),
                Totals.Sum("skylark.statesink.peer.bundles", (Outcome, "not_found")),
                Totals.Sum("skylark.statesink.peer.requests", (Kind, "unauthorized")),
                Totals.Sum("skylark.statesink.peer.requests", (Kind, "probe")),
                Totals.Sum("skylark.statesink.peer.requests", (Kind, "streamed_fetch")),
                Totals.Sum("skylark.statesink.peer.bundles", (Outcome, "streamed")),
                Totals.Sum("skylark.statesink.peer.bundles", (Outcome, "stream_aborted"))),
            new SyncCounts(
                Totals.Sum("skylark.statesink.sync.runs", (Outcome, "run")),
                Totals.Sum("skylark.statesink.sync.runs", (Outcome, "skipped")),
                Totals.Sum("skylark.statesink.sync.probes"),
                Totals.Sum("skylark.statesink.sync.probes", (Outcome, "failed")),
                Totals.Sum("skylark.statesink.sync.bundles", (Kind, "repulled")),
                Totals.Sum("skylark.statesink.sync.bundles", (Kind, "evicted")),
                Totals.Sum("skylark.statesink.sync.evicted.bytes"),
                Totals.Sum("skylark.statesink.sync.bundles", (Kind, "expired"))));
    }

    private void PeerRequest(string kind) => _peerRequests.Add(1, new KeyValuePair<string, object?>(Kind, kind));

    private void PeerBundles(string outcome, int bundles) => _peerBundles.Add(bundles, new KeyValuePair<string, object?>(Outcome, outcome));

    private void SyncBundles(string kind, int bundles) => _syncBundles.Add(bundles, new KeyValuePair<string, object?>(Kind, kind));
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
