using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Pulling;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Propagation;

public sealed partial class BundlePropagator
{
    /// <summary>Bundles a function on this node is still writing: here once written, or failed when the command gives up.</summary>
    private async Task<BundlePropagation[]> AwaitOwnAsync(IReadOnlyList<StateRef> refs, DateTimeOffset giveUpAt, CancellationToken cancellationToken)
    {
        if (_watcher is null)
        {
            return await CheckOwnAsync(refs, cancellationToken).ConfigureAwait(false);
        }

        return await Task.WhenAll(refs.Select(async r =>
        {
            try
            {
                var wait = giveUpAt - _time.GetUtcNow();
                return await _watcher.WaitForAsync(r, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false) is not null
                    ? new BundlePropagation(r, BundlePropagationOutcome.Current)
                    : new BundlePropagation(r, BundlePropagationOutcome.Failed, Error: $"it names this node '{Node}', where it was not written by {giveUpAt:O}");
            }
            catch (Exception error) when (error is RedisException or OperationCanceledException or StateException)
            {
                return new BundlePropagation(r, BundlePropagationOutcome.Failed, Error: Reason(error, r.Node));
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls of bundles <paramref name="node"/> has not written yet. Registered before anything else (no local
    /// version read: the bundle cannot be here yet), so a reader on this node arriving from now on waits for them.
    /// </summary>
    private async Task<BundlePropagation[]> AwaitFromAsync(string node, IReadOnlyList<StateRef> refs, DateTimeOffset giveUpAt, string sender, CancellationToken cancellationToken)
    {
        var results = new BundlePropagation?[refs.Count];
        var batch = new FetchBatch();
        var (pulls, fetches) = Register(node, refs, held: null, awaitingWrite: true, results, batch);
        if (fetches.Count > 0)
        {
            var requests = (fetches.Count + _puller.MaxFetchRefs - 1) / _puller.MaxFetchRefs;
            if (TryReserveAwaiting(sender, requests) is { } refused)
            {
                batch.Fail(0, fetches.Count, new InvalidOperationException(refused));
            }
            else
            {
                // Not tied to this command's cancellation: readers may be waiting on these pulls. Bounded by the give-up time.
                _ = CompleteAwaitingBatchAsync(node, fetches, giveUpAt, sender, batch);
            }
        }

        await CollectAsync(node, refs, pulls, results, giveUpAt, cancellationToken).ConfigureAwait(false);
        return [.. results.Select((r, i) => r ?? new BundlePropagation(refs[i], BundlePropagationOutcome.Failed, Error: "no result"))];
    }

    /// <summary>Takes <paramref name="requests"/> waiting fetches for <paramref name="sender"/>; null when taken, else why not.</summary>
    private string? TryReserveAwaiting(string sender, int requests)
    {
        lock (_awaitingLock)
        {
            var held = _awaitingBySender.GetValueOrDefault(sender);
            if (held + requests > _maxAwaitingPullsPerSender)
            {
                return $"the sender '{Shorten(sender)}' already has {held} fetch(es) waiting for bundles to be written, of at most {_maxAwaitingPullsPerSender} per sender (StateSinkOptions.MaxAwaitingPullsPerSender); this one was not sent";
            }

            if (_awaiting + requests > _maxAwaitingPulls)
            {
                return $"{_maxAwaitingPulls} fetches are already waiting for bundles to be written (StateSinkOptions.MaxAwaitingPulls); this one was not sent";
            }

            _awaitingBySender[sender] = held + requests;
            Volatile.Write(ref _awaiting, _awaiting + requests);
            return null;
        }
    }

    private void ReleaseAwaiting(string sender)
    {
        lock (_awaitingLock)
        {
            var held = _awaitingBySender.GetValueOrDefault(sender) - 1;
            if (held > 0)
            {
                _awaitingBySender[sender] = held;
            }
            else
            {
                _awaitingBySender.Remove(sender);
            }

            Volatile.Write(ref _awaiting, _awaiting - 1);
        }
    }

    private static string Shorten(string sender) => sender.Length <= 64 ? sender : string.Concat(sender.AsSpan(0, 64), "…");

    private async Task CompleteAwaitingBatchAsync(string node, IReadOnlyList<BundleFetch> fetches, DateTimeOffset giveUpAt, string sender, FetchBatch batch)
    {
        var size = _puller.MaxFetchRefs;
        await Task.WhenAll(fetches.Chunk(size).Select(async (chunk, k) =>
        {
            try
            {
                await AwaitChunkAsync(node, chunk, k * size, giveUpAt, sender, batch).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                // Entries read before the failure stay good (each was complete); the others fail with the reason.
                LogPullFailed(node, chunk.Length, error.Message);
                batch.Fail(k * size, chunk.Length, error);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// One long-polled fetch: waits without a transfer slot, then transfers with one; or, when the holder streams a bundle
    /// while it is written, receives it item by item into this node's Redis, still counted as awaiting and without a slot.
    /// </summary>
    private async Task AwaitChunkAsync(string node, IReadOnlyList<BundleFetch> fetches, int offset, DateTimeOffset giveUpAt, string sender, FetchBatch batch)
    {
        PendingFetch pending;
        try
        {
            var wait = giveUpAt - _time.GetUtcNow();
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _maxFetchWait ? _maxFetchWait : wait;

            // The holder answers by the end of the wait; the pull timeout covers getting the answer's headers back.
            using (var waiting = new CancellationTokenSource(wait + _pullTimeout, _time))
            {
                try
                {
                    pending = await _puller.SendFetchAsync(node, fetches, wait, acceptStreamed: true, waiting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException error) when (waiting.IsCancellationRequested)
                {
                    throw new TimeoutException($"node '{node}' did not answer a fetch waiting {wait} for the bundles to be written within {wait + _pullTimeout}", error);
                }
            }

            if (pending.IsStreamed)
            {
                using (pending)
                {
                    await ReceiveStreamedAsync(node, pending, offset, giveUpAt, batch).ConfigureAwait(false);
                }

                return;
            }
        }
        finally
        {
            ReleaseAwaiting(sender);
        }

        using (pending)
        {
            batch.Complete(offset, await TransferAsync(node, pending.ReadAsync).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Reads a streamed answer: each bundle streamed is staged here item by item and committed when its commit arrives,
    /// and each entry's pull is settled as soon as the entry is complete. The holder ends its streams by the end of its
    /// wait; the give-up time plus the pull timeout bounds the whole answer here, should it not.
    /// </summary>
    private async Task ReceiveStreamedAsync(string node, PendingFetch pending, int offset, DateTimeOffset giveUpAt, FetchBatch batch)
    {
        var receiver = new StagedCopyReceiver(_local, pending.Fetches);
        var bound = giveUpAt - _time.GetUtcNow();
        bound = (bound > TimeSpan.Zero ? bound : TimeSpan.Zero) + _pullTimeout;
        using var timeout = new CancellationTokenSource(bound, _time);
        try
        {
            await pending.ReadEachAsync(
                receiver,
                (i, entry) => batch.Complete(offset + i, new FetchAnswer(entry, entry.IsCommittedStream ? receiver.Outcome(i) : null)),
                timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException error) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"node '{node}' did not finish streaming the bundles within {bound}", error);
        }
    }
}
