using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.StateSink.Pulling;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// The periodic sync a PingSource drives (<c>dev.knative.sources.ping</c>): refresh the topology, probe the links to
/// neighbour sinks, pull again the bundles that propagation wanted but could not get, forget copies that expired, and
/// evict least-recently-used copies beyond the memory budget. Each step runs even when an earlier one failed; a sync
/// never throws. One sync at a time: a ping arriving during a sync is skipped.
/// </summary>
public sealed partial class StateSync
{
    private readonly SinkTopology _topology;
    private readonly LinkProber _prober;
    private readonly BundlePropagator _propagator;
    private readonly WantedBundles _wanted;
    private readonly CopyLedger _ledger;
    private readonly BundleCensus _census;
    private readonly LruEvictor _evictor;
    private readonly StateSinkMetrics _metrics;
    private readonly StateSinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _running;

    public StateSync(
        SinkTopology topology,
        LinkProber prober,
        BundlePropagator propagator,
        WantedBundles wanted,
        CopyLedger ledger,
        BundleCensus census,
        LruEvictor evictor,
        StateSinkMetrics metrics,
        StateSinkOptions options,
        TimeProvider? timeProvider = null,
        ILogger<StateSync>? logger = null)
    {
        _topology = topology ?? throw new ArgumentNullException(nameof(topology));
        _prober = prober ?? throw new ArgumentNullException(nameof(prober));
        _propagator = propagator ?? throw new ArgumentNullException(nameof(propagator));
        _wanted = wanted ?? throw new ArgumentNullException(nameof(wanted));
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _census = census ?? throw new ArgumentNullException(nameof(census));
        _evictor = evictor ?? throw new ArgumentNullException(nameof(evictor));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The summary of the last completed sync; null before the first.</summary>
    public SyncSummary? LastSummary { get; private set; }

    /// <summary>Runs one sync, or returns null at once when one is already running.</summary>
    public async Task<SyncSummary?> TryRunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            _metrics.RecordSyncSkipped();
            LogSkipped();
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.SyncTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var summary = await RunAsync(linked.Token).ConfigureAwait(false);
            LastSummary = summary;
            _metrics.RecordSyncRun();
            LogSynced(summary.DurationMs, summary.Repulled, summary.StillWanted, summary.Expired, summary.Evicted, summary.BundleBytes, summary.Errors.Count);
            return summary;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task<SyncSummary> RunAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var errors = new List<string>();

        var changed = await StepAsync("topology refresh", errors, () => _topology.RefreshAsync(cancellationToken)).ConfigureAwait(false);

        var neighbours = _topology.Neighbours();
        var probeFailures = await StepAsync("link probes", errors, () => _prober.ProbeAsync(neighbours, cancellationToken)).ConfigureAwait(false);

        var wanted = _wanted.Current();
        var repulled = 0;
        if (wanted.Count > 0)
        {
            var result = await StepAsync("re-pull of wanted bundles", errors, () => _propagator.PropagateAsync(wanted, deadline: null, cancellationToken)).ConfigureAwait(false);
            repulled = result?.Bundles.Count(b => b.Succeeded) ?? 0;
            _metrics.RecordRepulled(repulled);
        }

        var expired = 0;
        long bundleBytes = 0;
        EvictionResult? eviction = null;
        await StepAsync("eviction", errors, async () =>
        {
            var copies = await _ledger.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (_options.MemoryBudgetBytes is not { } budget)
            {
                expired = await _ledger.ForgetMissingAsync([.. copies.Keys], cancellationToken).ConfigureAwait(false);
                return true;
            }

            var census = await _census.TakeAsync(cancellationToken).ConfigureAwait(false);
            var present = census.Select(e => CopyLedger.Field(e.StateRef)).ToHashSet(StringComparer.Ordinal);
            expired = await _ledger.ForgetMissingAsync([.. copies.Keys.Where(f => !present.Contains(f))], cancellationToken).ConfigureAwait(false);
            eviction = await _evictor.EvictAsync(census, copies, budget, cancellationToken).ConfigureAwait(false);
            bundleBytes = eviction.TotalBytes;
            if (eviction.OverBudget)
            {
                errors.Add($"eviction: {eviction.TotalBytes} bytes of bundles remain over the budget of {budget}; the rest are this node's own bundles or copies written since they were pulled");
            }

            return true;
        }).ConfigureAwait(false);

        _metrics.RecordExpired(expired);
        if (eviction is not null)
        {
            _metrics.RecordEvicted(eviction.Evicted.Count, eviction.EvictedBytes);
        }

        return new SyncSummary(
            _time.GetUtcNow(),
            _time.GetElapsedTime(started).TotalMilliseconds,
            _topology.Current?.Name,
            changed,
            neighbours,
            probeFailures,
            wanted.Count,
            repulled,
            _wanted.Count,
            expired,
            bundleBytes,
            _options.MemoryBudgetBytes,
            eviction?.Evicted.Count ?? 0,
            eviction?.EvictedBytes ?? 0,
            errors);
    }

    private async Task<T?> StepAsync<T>(string step, List<string> errors, Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // A sync must never take the sink down; every failure becomes a line in the summary.
            errors.Add($"{step}: {error.Message}");
            LogStepFailed(step, error.Message);
            return default;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ping arrived while a sync was still running; skipped")]
    private partial void LogSkipped();

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sync done in {DurationMs:F0} ms: {Repulled} re-pulled, {StillWanted} still wanted, {Expired} expired, {Evicted} evicted, {Bytes} bytes held, {Errors} error(s)")]
    private partial void LogSynced(double durationMs, int repulled, int stillWanted, int expired, int evicted, long bytes, int errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync step {Step} failed: {Reason}")]
    private partial void LogStepFailed(string step, string reason);
}
