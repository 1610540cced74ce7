using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// Reads a bundle from the cheapest place that has it: this node's Redis; else the pull of it already in flight on
/// this node (e.g. the StateSink propagating it ahead of time); else a pull from the node its StateRef names, keeping
/// a local copy so the next read is local. Bundles whose StateRef names this node are never pulled.
/// </summary>
public sealed partial class TieredStateReader : IStateReader
{
    private readonly BundleStore _local;
    private readonly InFlightPulls _inFlight;
    private readonly StateReadMetrics _metrics;
    private readonly IBundlePuller? _puller;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pullTimeout;
    private readonly TimeSpan _waitTimeout;
    private readonly ILogger _logger;

    /// <summary>
    /// <paramref name="local"/> must be unrestricted because the reader keeps copies of any bundle.
    /// <paramref name="puller"/> is null when this node cannot pull; then only local bundles can be read.
    /// </summary>
    public TieredStateReader(
        BundleStore local,
        InFlightPulls inFlight,
        StateReadMetrics metrics,
        IBundlePuller? puller,
        StateOptions options,
        TimeProvider? timeProvider = null,
        ILogger<TieredStateReader>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(inFlight);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        if (!local.Scope.IsUnrestricted)
        {
            throw new ArgumentException($"The reader keeps copies of any bundle, so its store must be unrestricted, not scoped to {local.Scope}.", nameof(local));
        }

        options.Validate();
        _local = local;
        _inFlight = inFlight;
        _metrics = metrics;
        _puller = puller;
        _time = timeProvider ?? TimeProvider.System;
        _pullTimeout = options.PullTimeout;
        _waitTimeout = options.InFlightWaitTimeout;
        _logger = logger ?? NullLogger<TieredStateReader>.Instance;
    }

    public string Node => _local.Node;

    public async Task<StateReadResult> ReadAsync(StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        var local = await _local.ReadAsync(stateRef, cancellationToken).ConfigureAwait(false);
        if (local is not null)
        {
            return Found(new StateReadResult(local, StateReadSource.Local));
        }

        EnsurePullable(stateRef);
        var (bundle, source) = (await ReadRemoteAsync(stateRef.Node, [stateRef], cancellationToken).ConfigureAwait(false))[0];
        if (bundle is null)
        {
            _metrics.RecordNotFound();
            throw new StateNotFoundException(stateRef, $"node '{stateRef.Node}' does not hold it.");
        }

        return Found(new StateReadResult(bundle, source));
    }

    /// <summary>
    /// One local round trip for all refs; then, for the missing ones, one pull per source node
    /// (<see cref="IBundlePuller.PullManyAsync"/>), all nodes in parallel.
    /// </summary>
    public async Task<IReadOnlyList<StateReadResult>> ReadManyAsync(IReadOnlyList<StateRef> stateRefs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRefs);
        var local = await _local.ReadManyAsync(stateRefs, cancellationToken).ConfigureAwait(false);
        var results = new StateReadResult?[stateRefs.Count];
        var missing = new List<StateRef>();
        var distinct = new HashSet<StateRef>();
        for (var i = 0; i < results.Length; i++)
        {
            if (local[i] is { } bundle)
            {
                results[i] = new StateReadResult(bundle, StateReadSource.Local);
            }
            else if (distinct.Add(stateRefs[i]))
            {
                missing.Add(stateRefs[i]);
            }
        }

        var remote = new Dictionary<StateRef, (Bundle? Bundle, StateReadSource Source)>();
        var pullable = missing.Where(r => !IsLocalNode(r) && _puller is not null).ToList();
        if (pullable.Count > 0)
        {
            var groups = pullable.GroupBy(r => r.Node, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
            var pulls = groups.Select(g => ReadRemoteAsync(g[0].Node, g, cancellationToken)).ToList();
            await Task.WhenAll(pulls).ConfigureAwait(false);
            for (var g = 0; g < groups.Count; g++)
            {
                for (var k = 0; k < groups[g].Count; k++)
                {
                    remote[groups[g][k]] = pulls[g].Result[k];
                }
            }
        }

        StateRef? firstMissing = null;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is null && remote.TryGetValue(stateRefs[i], out var pulled) && pulled.Bundle is not null)
            {
                results[i] = new StateReadResult(pulled.Bundle, pulled.Source);
            }

            if (results[i] is { } result)
            {
                _metrics.Record(result.Source);
            }
            else
            {
                _metrics.RecordNotFound();
                firstMissing ??= stateRefs[i];
            }
        }

        if (firstMissing is not null)
        {
            throw new StateNotFoundException(firstMissing, NotFoundDetail(firstMissing));
        }

        return results!;
    }

    private bool IsLocalNode(StateRef stateRef) => string.Equals(stateRef.Node, Node, StringComparison.Ordinal);

    private void EnsurePullable(StateRef stateRef)
    {
        if (IsLocalNode(stateRef) || _puller is null)
        {
            _metrics.RecordNotFound();
            throw new StateNotFoundException(stateRef, NotFoundDetail(stateRef));
        }
    }

    private string NotFoundDetail(StateRef stateRef) =>
        IsLocalNode(stateRef) ? $"node '{Node}' (this node) does not hold it."
        : _puller is null ? $"this node '{Node}' does not hold it and has no puller to fetch it from node '{stateRef.Node}'."
        : $"node '{stateRef.Node}' does not hold it.";

    private StateReadResult Found(StateReadResult result)
    {
        _metrics.Record(result.Source);
        return result;
    }

    /// <summary>Bundles of <paramref name="refs"/> (all on <paramref name="node"/>, none held locally), in order; null where missing.</summary>
    private async Task<(Bundle? Bundle, StateReadSource Source)[]> ReadRemoteAsync(string node, IReadOnlyList<StateRef> refs, CancellationToken cancellationToken)
    {
        var outcomes = new (Bundle? Bundle, StateReadSource Source)[refs.Count];

        // First, pulls already in flight (the StateSink propagating ahead of time, or another reader).
        var toPull = new List<int>();
        var waits = new List<(int Index, Task<(Bundle? Bundle, Exception? Failure)> Wait)>();
        for (var i = 0; i < refs.Count; i++)
        {
            if (_inFlight.TryJoin(refs[i], out var running))
            {
                waits.Add((i, WaitForInFlightAsync(refs[i], running, cancellationToken)));
            }
            else
            {
                toPull.Add(i);
            }
        }

        await Task.WhenAll(waits.Select(w => w.Wait)).ConfigureAwait(false);
        foreach (var (i, wait) in waits)
        {
            var (bundle, failure) = wait.Result;
            if (bundle is not null)
            {
                outcomes[i] = (bundle, StateReadSource.Waited);
            }
            else
            {
                // That pull failed or found nothing (it may have run before the bundle was written): try ourselves.
                if (failure is not null)
                {
                    LogInFlightPullFailed(refs[i], failure.Message);
                }

                toPull.Add(i);
            }
        }

        toPull.Sort();
        if (toPull.Count == 0)
        {
            return outcomes;
        }

        // Then one batch for everything not in flight, registered per bundle so later readers join it.
        var batch = new TaskCompletionSource<IReadOnlyList<Bundle?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<StateRef>();
        var startedPulls = new List<(int Index, Task<Bundle?> Pull)>();
        var joined = new List<(int Index, Task<Bundle?> Pull)>();
        StateUnavailableException? refused = null;
        foreach (var i in toPull)
        {
            var position = started.Count;
            InFlightPull pull;
            try
            {
                pull = _inFlight.JoinOrStart(refs[i], async () => (await batch.Task.ConfigureAwait(false))[position]);
            }
            catch (StateUnavailableException error)
            {
                refused = error;
                break;
            }

            if (pull.Joined)
            {
                joined.Add((i, pull.Task));
            }
            else
            {
                started.Add(refs[i]);
                startedPulls.Add((i, pull.Task));
            }
        }

        if (started.Count > 0)
        {
            // Not awaited with the caller's token: registered pulls must complete even if this caller gives up.
            _ = CompleteBatchAsync(node, started, batch);
        }

        if (refused is not null)
        {
            _metrics.RecordFailed();
            throw refused;
        }

        // Awaiting the registered pulls (not the batch) means they have left the registry when this read returns.
        foreach (var (i, pull) in startedPulls)
        {
            try
            {
                outcomes[i] = (await pull.WaitAsync(cancellationToken).ConfigureAwait(false), StateReadSource.Remote);
            }
            catch (StateUnavailableException)
            {
                _metrics.RecordFailed();
                throw;
            }
        }

        foreach (var (i, pull) in joined)
        {
            var (bundle, failure) = await WaitForInFlightAsync(refs[i], pull, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                _metrics.RecordFailed();
                throw failure as StateUnavailableException
                    ?? new StateUnavailableException(refs[i], $"the pull in flight on node '{Node}' failed: {failure.Message}", failure);
            }

            outcomes[i] = (bundle, StateReadSource.Waited);
        }

        return outcomes;
    }

    private async Task<(Bundle? Bundle, Exception? Failure)> WaitForInFlightAsync(StateRef stateRef, Task<Bundle?> pull, CancellationToken cancellationToken)
    {
        try
        {
            return (await pull.WaitAsync(_waitTimeout, _time, cancellationToken).ConfigureAwait(false), null);
        }
        catch (TimeoutException timeout)
        {
            _metrics.RecordFailed();
            throw new StateUnavailableException(stateRef, $"the pull already in flight on node '{Node}' did not finish within {_waitTimeout}.", timeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception failure)
        {
            return (null, failure);
        }
    }

    private async Task CompleteBatchAsync(string node, IReadOnlyList<StateRef> refs, TaskCompletionSource<IReadOnlyList<Bundle?>> batch)
    {
        try
        {
            batch.SetResult(await PullAndKeepAsync(node, refs).ConfigureAwait(false));
        }
        catch (Exception error)
        {
            batch.SetException(error);
        }
    }

    private async Task<IReadOnlyList<Bundle?>> PullAndKeepAsync(string node, IReadOnlyList<StateRef> refs)
    {
        var puller = _puller!;
        var what = refs.Count == 1 ? $"pull from node '{node}'" : $"pull of {refs.Count} bundles from node '{node}'";
        IReadOnlyList<Bundle?> pulled;
        using (var timeout = new CancellationTokenSource(_pullTimeout, _time))
        {
            try
            {
                // WaitAsync bounds pullers that ignore the token too.
                pulled = refs.Count == 1
                    ? [await puller.PullAsync(refs[0], timeout.Token).WaitAsync(_pullTimeout, _time).ConfigureAwait(false)]
                    : await puller.PullManyAsync(node, refs, timeout.Token).WaitAsync(_pullTimeout, _time).ConfigureAwait(false);
            }
            catch (Exception error) when (error is TimeoutException || (error is OperationCanceledException && timeout.IsCancellationRequested))
            {
                LogPullFailed(node, refs.Count, error.Message);
                throw new StateUnavailableException(refs[0], $"the {what} did not finish within {_pullTimeout}.", error);
            }
            catch (Exception error) when (error is not StateException)
            {
                LogPullFailed(node, refs.Count, error.Message);
                throw new StateUnavailableException(refs[0], $"the {what} failed: {error.Message}", error);
            }
        }

        if (pulled.Count != refs.Count)
        {
            throw new StateUnavailableException(refs[0], $"the {what} returned {pulled.Count} results for {refs.Count} bundles.");
        }

        var kept = new Task<Bundle?>[refs.Count];
        for (var i = 0; i < refs.Count; i++)
        {
            if (pulled[i] is { } bundle
                && (bundle.StateRef.WorkflowId != refs[i].WorkflowId || bundle.StateRef.Bundle != refs[i].Bundle))
            {
                throw new StateUnavailableException(refs[i], $"the {what} returned bundle '{bundle.StateRef}' instead.");
            }

            kept[i] = pulled[i] is { } found ? KeepAsync(found) : Task.FromResult<Bundle?>(null);
        }

        return await Task.WhenAll(kept).ConfigureAwait(false);
    }

    /// <summary>Stores the pulled copy; returns what this node holds now (the copy, or a newer local version).</summary>
    private async Task<Bundle?> KeepAsync(Bundle pulled)
    {
        try
        {
            var put = await _local.PutCopyAsync(pulled).ConfigureAwait(false);
            LogPulled(pulled.StateRef, pulled.Version, put.Outcome);
            if (put.Outcome == PutCopyOutcome.NewerVersionPresent)
            {
                return await _local.ReadAsync(pulled.StateRef).ConfigureAwait(false) ?? pulled;
            }
        }
        catch (Exception error) when (error is StateException or StackExchange.Redis.RedisException)
        {
            // The read itself succeeded; failing to keep a copy only costs the next reader another pull.
            LogKeepFailed(pulled.StateRef, error.Message);
        }

        return pulled;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pulled {StateRef} v{Version}; local copy: {Outcome}")]
    private partial void LogPulled(StateRef stateRef, long version, PutCopyOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull of {Count} bundle(s) from node {Node} failed: {Reason}")]
    private partial void LogPullFailed(string node, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The pull of {StateRef} in flight on this node failed ({Reason}); pulling it again")]
    private partial void LogInFlightPullFailed(StateRef stateRef, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pulled {StateRef} but could not keep a local copy: {Reason}")]
    private partial void LogKeepFailed(StateRef stateRef, string reason);
}
