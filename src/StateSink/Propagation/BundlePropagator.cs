using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.StateSink.Sync;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Propagation;

/// <summary>
/// Pulls bundles from the nodes that hold them into this node's Redis: one fused fetch per holding node, telling the
/// holder which version is already here so current copies cost no transfer. Every pull is registered in the node's
/// shared <see cref="InFlightPulls"/> before it starts, so a function reading the same bundle meanwhile waits for it
/// (and a second propagation joins it) instead of pulling again. At most
/// <see cref="StateSinkOptions.MaxConcurrentPulls"/> fetches transfer at once. Bundles that could not be had are
/// remembered in <see cref="WantedBundles"/> for the next sync.
/// </summary>
/// <remarks>
/// With <c>awaitWrite</c> the bundles are not written yet (their function is still running at the holder): the pulls
/// are registered at once as awaiting that node's write, and the fetch is a long poll (<c>?wait=</c>) until the
/// command gives up. A waiting fetch holds no transfer slot, only one of <see cref="StateSinkOptions.MaxAwaitingPulls"/>:
/// it takes a transfer slot once its response headers arrive (the bundles are written), so fetches waiting for
/// many workflows can never starve the transfers that are ready. The commands of one sender
/// (<see cref="PropagateSenderKey"/>) hold at most <see cref="StateSinkOptions.MaxAwaitingPullsPerSender"/> of those,
/// so a sender flooding the sink with commands for bundles that are never written cannot starve another's look-ahead. The awaiting fetch accepts a streamed answer: when the
/// producer writes its output item by item, the holder answers at the first item and streams each one as it is written;
/// the items are staged in this node's Redis as they arrive (<see cref="StagedCopyReceiver"/>) and the copy appears, and
/// the readers waiting for it are released, at the commit. Such an answer is paced by the producer, not the link: it
/// stays one of the awaiting fetches until it ends, and takes no transfer slot.
/// </remarks>
public sealed partial class BundlePropagator : IDisposable
{
    private readonly BundleStore _local;
    private readonly InFlightPulls _inFlight;
    private readonly HttpBundlePuller _puller;
    private readonly WantedBundles _wanted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxConcurrentPulls;
    private readonly int _maxAwaitingPulls;
    private readonly int _maxAwaitingPullsPerSender;
    private readonly TimeSpan _maxFetchWait;
    private readonly TimeSpan _pullTimeout;
    private readonly TimeSpan _propagationTimeout;
    private readonly BundleWriteWatcher? _watcher;
    private readonly Lock _awaitingLock = new();

    // Only senders with fetches waiting have an entry, so spoofed senders cannot grow it beyond MaxAwaitingPulls.
    private readonly Dictionary<string, int> _awaitingBySender = new(StringComparer.Ordinal);
    private int _awaiting;

    public BundlePropagator(
        BundleStore local,
        InFlightPulls inFlight,
        HttpBundlePuller puller,
        WantedBundles wanted,
        StateOptions stateOptions,
        StateSinkOptions sinkOptions,
        TimeProvider? timeProvider = null,
        ILogger<BundlePropagator>? logger = null,
        BundleWriteWatcher? watcher = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(inFlight);
        ArgumentNullException.ThrowIfNull(puller);
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(stateOptions);
        ArgumentNullException.ThrowIfNull(sinkOptions);
        if (!local.Scope.IsUnrestricted)
        {
            throw new ArgumentException($"Propagation stores copies of any bundle, so its store must be unrestricted, not scoped to {local.Scope}.", nameof(local));
        }

        _local = local;
        _inFlight = inFlight;
        _puller = puller;
        _wanted = wanted;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _maxConcurrentPulls = sinkOptions.MaxConcurrentPulls;
        _slots = new SemaphoreSlim(_maxConcurrentPulls, _maxConcurrentPulls);
        _maxAwaitingPulls = sinkOptions.MaxAwaitingPulls;
        _maxAwaitingPullsPerSender = sinkOptions.AwaitingPullsPerSender;
        _maxFetchWait = sinkOptions.MaxFetchWait;
        _pullTimeout = stateOptions.PullTimeout;
        _propagationTimeout = sinkOptions.PropagationTimeout;
        _watcher = watcher;
    }

    public string Node => _local.Node;

    /// <summary>Fetches waiting at other sinks right now for bundles to be written.</summary>
    public int AwaitingPulls => Volatile.Read(ref _awaiting);

    /// <summary>Fetches waiting at other sinks right now for the commands of <paramref name="sender"/>.</summary>
    public int AwaitingPullsOf(string sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        lock (_awaitingLock)
        {
            return _awaitingBySender.GetValueOrDefault(sender);
        }
    }

    /// <inheritdoc cref="PropagateAsync(IReadOnlyList{StateRef}, DateTimeOffset?, bool, string, CancellationToken)"/>
    public Task<PropagationResult> PropagateAsync(IReadOnlyList<StateRef> bundles, DateTimeOffset? deadline, CancellationToken cancellationToken) =>
        PropagateAsync(bundles, deadline, awaitWrite: false, PropagateSenders.Local, cancellationToken);

    /// <inheritdoc cref="PropagateAsync(IReadOnlyList{StateRef}, DateTimeOffset?, bool, string, CancellationToken)"/>
    public Task<PropagationResult> PropagateAsync(IReadOnlyList<StateRef> bundles, DateTimeOffset? deadline, bool awaitWrite, CancellationToken cancellationToken) =>
        PropagateAsync(bundles, deadline, awaitWrite, PropagateSenders.Local, cancellationToken);

    /// <summary>
    /// Makes every bundle of <paramref name="bundles"/> current on this node, pulling each from the node its StateRef
    /// names. Gives up waiting at <paramref name="deadline"/> (or after <see cref="StateSinkOptions.PropagationTimeout"/>);
    /// pulls already running then still finish, because readers may be waiting for them. With
    /// <paramref name="awaitWrite"/> the bundles are not written yet: each pull is registered at once as awaiting the
    /// write at the node its StateRef names, and asks that node to answer when they are written (until the give-up time);
    /// those waiting fetches count against <paramref name="sender"/>'s share.
    /// </summary>
    public async Task<PropagationResult> PropagateAsync(IReadOnlyList<StateRef> bundles, DateTimeOffset? deadline, bool awaitWrite, string sender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        ArgumentNullException.ThrowIfNull(sender);
        var started = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var refs = bundles.Distinct().ToList();
        var giveUpAt = now + _propagationTimeout;
        if (deadline is { } given && given < giveUpAt)
        {
            giveUpAt = given;
        }

        if (giveUpAt <= now)
        {
            var late = refs.Select(r => new BundlePropagation(r, BundlePropagationOutcome.Failed, Error: $"the deadline {giveUpAt:O} had passed when the command arrived")).ToList();
            return Finish(late, started, remember: false);
        }

        using var timeout = new CancellationTokenSource(giveUpAt - now, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var groups = refs.GroupBy(r => r.Node, StringComparer.Ordinal).ToList();
        var work = groups.Select(g => g.Key == Node
            ? (awaitWrite ? AwaitOwnAsync([.. g], giveUpAt, linked.Token) : CheckOwnAsync([.. g], linked.Token))
            : awaitWrite ? AwaitFromAsync(g.Key, [.. g], giveUpAt, sender, linked.Token)
            : PropagateFromAsync(g.Key, [.. g], giveUpAt, linked.Token)).ToList();
        var results = (await Task.WhenAll(work).ConfigureAwait(false)).SelectMany(r => r).ToDictionary(r => r.StateRef);
        cancellationToken.ThrowIfCancellationRequested();

        // An awaited output that did not appear is a guess that missed (or a producer still running), not state anyone
        // is known to need: the sync must not retry it. The completion-triggered command that follows covers the real one.
        return Finish(refs.Select(r => results[r]).ToList(), started, remember: !awaitWrite);
    }

    public void Dispose() => _slots.Dispose();

    private PropagationResult Finish(IReadOnlyList<BundlePropagation> bundles, long started, bool remember)
    {
        foreach (var bundle in bundles)
        {
            if (bundle.Succeeded)
            {
                _wanted.Remove(bundle.StateRef);
            }
            else if (remember)
            {
                _wanted.Add(bundle.StateRef);
            }
        }

        var result = PropagationResult.From(bundles, _time.GetElapsedTime(started));
        LogPropagated(bundles.Count, result.Outcome, result.Bytes, result.Duration.TotalMilliseconds, result.Error);
        return result;
    }

    /// <summary>Bundles whose StateRef names this node are not pulled; they are either here or nowhere.</summary>
    private async Task<BundlePropagation[]> CheckOwnAsync(IReadOnlyList<StateRef> refs, CancellationToken cancellationToken)
    {
        var results = new BundlePropagation[refs.Count];
        for (var i = 0; i < refs.Count; i++)
        {
            try
            {
                results[i] = await _local.GetVersionAsync(refs[i], cancellationToken).ConfigureAwait(false) is not null
                    ? new BundlePropagation(refs[i], BundlePropagationOutcome.Current)
                    : new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: $"it names this node '{Node}', which does not hold it");
            }
            catch (Exception error) when (error is RedisException or OperationCanceledException or StateException)
            {
                results[i] = new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: Reason(error, refs[i].Node));
            }
        }

        return results;
    }

    /// <summary>Runs <paramref name="transfer"/> holding one of the <see cref="StateSinkOptions.MaxConcurrentPulls"/> slots, bounded by the pull timeout.</summary>
    private async Task<IReadOnlyList<BundleWireEntry>> TransferAsync(string node, Func<CancellationToken, Task<IReadOnlyList<BundleWireEntry>>> transfer)
    {
        using (var waiting = new CancellationTokenSource(_pullTimeout, _time))
        {
            try
            {
                await _slots.WaitAsync(waiting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException error)
            {
                throw new TimeoutException($"{_maxConcurrentPulls} pulls were already running and none finished within {_pullTimeout}", error);
            }
        }

        try
        {
            using var timeout = new CancellationTokenSource(_pullTimeout, _time);
            try
            {
                return await transfer(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException error) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"the pull from node '{node}' did not finish within {_pullTimeout}", error);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<BundlePropagation[]> PropagateFromAsync(string node, IReadOnlyList<StateRef> refs, DateTimeOffset giveUpAt, CancellationToken cancellationToken)
    {
        var results = new BundlePropagation?[refs.Count];
        long?[] held;
        try
        {
            held = await Task.WhenAll(refs.Select(r => _local.GetVersionAsync(r, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or OperationCanceledException or StateException)
        {
            return [.. refs.Select(r => new BundlePropagation(r, BundlePropagationOutcome.Failed, Error: $"this node's Redis could not be read: {Reason(error, node)}"))];
        }

        var batch = new FetchBatch();
        var (pulls, fetches) = Register(node, refs, held, awaitingWrite: false, results, batch);
        if (fetches.Count > 0)
        {
            // Not tied to this command's deadline: readers may be waiting on these pulls. Bounded by the pull timeout instead.
            _ = CompleteBatchAsync(node, fetches, batch);
        }

        await CollectAsync(node, refs, pulls, results, giveUpAt, cancellationToken).ConfigureAwait(false);
        return [.. results.Select((r, i) => r ?? new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: "no result"))];
    }

    /// <summary>
    /// Registers every pull before any starts, so readers arriving now wait for these pulls instead of starting their
    /// own; returns the registrations and the fetches this command must send (the pulls it did not join). A fetch
    /// tells the holder the version held here (<paramref name="held"/>), if any.
    /// </summary>
    private (InFlightPull?[] Pulls, List<BundleFetch> Fetches) Register(
        string node, IReadOnlyList<StateRef> refs, long?[]? held, bool awaitingWrite, BundlePropagation?[] results, FetchBatch batch)
    {
        var fetches = new List<BundleFetch>();
        var pulls = new InFlightPull?[refs.Count];
        for (var i = 0; i < refs.Count; i++)
        {
            var index = i;
            var position = fetches.Count;
            try
            {
                pulls[i] = _inFlight.JoinOrStart(refs[i], () => SettleAsync(node, refs[index], batch, position, results, index), awaitingWrite);
            }
            catch (StateUnavailableException error)
            {
                results[i] = new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: error.Message);
                continue;
            }

            if (!pulls[i]!.Value.Joined)
            {
                fetches.Add(new BundleFetch(refs[i], held?[i]));
            }
        }

        return (pulls, fetches);
    }

    /// <summary>Waits for the registered pulls (until the command gives up) and fills in the joined ones' results.</summary>
    private static async Task CollectAsync(
        string node, IReadOnlyList<StateRef> refs, InFlightPull?[] pulls, BundlePropagation?[] results, DateTimeOffset giveUpAt, CancellationToken cancellationToken)
    {
        for (var i = 0; i < refs.Count; i++)
        {
            if (pulls[i] is not { } pull)
            {
                continue;
            }

            try
            {
                var bundle = await pull.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (pull.Joined)
                {
                    results[i] = bundle is null
                        ? new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: $"node '{node}' does not hold it (a pull already in flight found nothing)")
                        : new BundlePropagation(refs[i], BundlePropagationOutcome.Joined);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                results[i] = new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: $"it had not arrived by {giveUpAt:O}, when this command gives up (its deadline or the propagation timeout)");
            }
            catch (Exception error)
            {
                results[i] ??= new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: Reason(error, node));
            }
        }
    }

    /// <summary>
    /// The registered pull of one bundle: waits for its answer in the fused fetch, keeps the copy (a streamed one was
    /// committed as it arrived), and returns what this node holds now (for readers that joined). Records this
    /// propagation's own result for the bundle before completing.
    /// </summary>
    private async Task<Bundle?> SettleAsync(
        string node, StateRef stateRef, FetchBatch batch, int position, BundlePropagation?[] results, int index)
    {
        try
        {
            var (entry, streamedCopy) = await batch.Entry(position).ConfigureAwait(false);
            switch (entry.Status)
            {
                case BundleWireStatus.Found:
                    var pulled = entry.Bundle!;
                    var put = await _local.PutCopyAsync(pulled).ConfigureAwait(false);
                    if (put.Outcome == PutCopyOutcome.Written)
                    {
                        results[index] = new BundlePropagation(stateRef, BundlePropagationOutcome.Pulled, pulled.SizeBytes);
                        return pulled;
                    }

                    results[index] = new BundlePropagation(stateRef, BundlePropagationOutcome.Current);
                    return put.Outcome == PutCopyOutcome.NewerVersionPresent
                        ? await _local.ReadAsync(stateRef).ConfigureAwait(false) ?? pulled
                        : pulled;
                case BundleWireStatus.Streamed when entry.AbortReason is { } reason:
                    throw new StateUnavailableException(stateRef, $"node '{node}' stopped streaming it: {reason}");
                case BundleWireStatus.Streamed:
                    results[index] = streamedCopy is { Written: true }
                        ? new BundlePropagation(stateRef, BundlePropagationOutcome.Pulled, entry.SizeBytes)
                        : new BundlePropagation(stateRef, BundlePropagationOutcome.Current);

                    // Staged item by item, never held whole here; readers that joined get it from this node's Redis.
                    return await _local.ReadAsync(stateRef).ConfigureAwait(false)
                        ?? throw new StateUnavailableException(stateRef, $"its copy streamed from node '{node}' was committed here but is gone already");
                case BundleWireStatus.NotModified:
                    results[index] = new BundlePropagation(stateRef, BundlePropagationOutcome.Current);

                    // Only a reader whose local read just missed (the copy expired in between) joins here; it needs the items.
                    return await _local.ReadAsync(stateRef).ConfigureAwait(false);
                default:
                    results[index] = new BundlePropagation(stateRef, BundlePropagationOutcome.Failed, Error: $"node '{node}' does not hold it");
                    return null;
            }
        }
        catch (Exception error)
        {
            results[index] = new BundlePropagation(stateRef, BundlePropagationOutcome.Failed, Error: Reason(error, node));
            throw;
        }
    }

    private async Task CompleteBatchAsync(string node, IReadOnlyList<BundleFetch> fetches, FetchBatch batch)
    {
        try
        {
            // The pull's span is the ambient one here (the command that registered this batch); null when untraced.
            var span = StateSinkTracing.Current;
            batch.Complete(0, await TransferAsync(node, span is null
                ? token => _puller.FetchAsync(node, fetches, token)
                : async token =>
                {
                    var sent = _time.GetTimestamp();
                    var entries = await _puller.FetchAsync(node, fetches, token).ConfigureAwait(false);
                    StateSinkTracing.AddLinkWait(span, _time.GetElapsedTime(sent));
                    return entries;
                }).ConfigureAwait(false));
        }
        catch (Exception error)
        {
            LogPullFailed(node, fetches.Count, error.Message);
            batch.Fail(0, fetches.Count, error);
        }
    }

    private static string Reason(Exception error, string node) => error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        ? $"the StateSink of node '{node}' could not be reached: {error.Message}"
        : error.Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "Propagated {Count} bundle(s): {Outcome}, {Bytes} bytes in {DurationMs:F1} ms {Error}")]
    private partial void LogPropagated(int count, string outcome, long bytes, double durationMs, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull of {Count} bundle(s) from node {Node} failed: {Reason}")]
    private partial void LogPullFailed(string node, int count, string reason);

    /// <summary>An entry of a fetch's answer and, for a bundle streamed while it was written, what committing its copy here did.</summary>
    private readonly record struct FetchAnswer(BundleWireEntry Entry, PutCopyResult? StreamedCopy);

    /// <summary>
    /// The answers of one command's fetches to one node, by position in the fetch list: each completes as soon as its
    /// entry has been read (a streamed bundle: at its commit), so readers waiting for one bundle are not held up by the
    /// others; a failed fetch fails the positions it had not answered.
    /// </summary>
    private sealed class FetchBatch
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<int, TaskCompletionSource<FetchAnswer>> _answers = [];
        private readonly List<(int From, int To, Exception Error)> _failures = [];

        /// <summary>The answer at <paramref name="position"/>, whether it has arrived yet or not.</summary>
        public Task<FetchAnswer> Entry(int position)
        {
            lock (_gate)
            {
                return Slot(position).Task;
            }
        }

        public void Complete(int position, FetchAnswer answer)
        {
            lock (_gate)
            {
                Slot(position).TrySetResult(answer);
            }
        }

        /// <summary>Completes the positions from <paramref name="offset"/> on with <paramref name="entries"/>, in order.</summary>
        public void Complete(int offset, IReadOnlyList<BundleWireEntry> entries)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                Complete(offset + i, new FetchAnswer(entries[i], null));
            }
        }

        /// <summary>Fails the <paramref name="count"/> positions from <paramref name="from"/> on that have no answer yet.</summary>
        public void Fail(int from, int count, Exception error)
        {
            lock (_gate)
            {
                _failures.Add((from, from + count, error));
                foreach (var (position, answer) in _answers)
                {
                    if (position >= from && position < from + count)
                    {
                        answer.TrySetException(error);
                    }
                }
            }
        }

        private TaskCompletionSource<FetchAnswer> Slot(int position)
        {
            if (!_answers.TryGetValue(position, out var answer))
            {
                _answers[position] = answer = new TaskCompletionSource<FetchAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
                foreach (var (from, to, error) in _failures)
                {
                    if (position >= from && position < to)
                    {
                        answer.TrySetException(error);
                    }
                }
            }

            return answer;
        }
    }
}
