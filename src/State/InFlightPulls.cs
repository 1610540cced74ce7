using System.Diagnostics.CodeAnalysis;
using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// Single-flight registry of the pulls running on this node, keyed by bundle (workflow id and bundle name, whatever
/// the source node): concurrent callers share one pull. Shared by readers and the StateSink's prefetching, so a
/// function that reads a bundle being propagated waits for that pull instead of starting a second one.
/// Bounded: beyond <see cref="Capacity"/> pulls, new ones are refused.
/// </summary>
/// <remarks>
/// A pull can be registered as <em>awaiting a write</em> on its source node (the StateSink asked that node for a bundle
/// a function there has not written yet). Only refs naming that same node join it: if the Predictor guessed the
/// producer's node wrong, a reader whose ref names the real node must not wait for a bundle that will never be written
/// where the awaiting pull asks. For such a reader the key is free, and its own pull replaces the awaiting entry
/// (the awaiting pull keeps running, unregistered).
/// </remarks>
public sealed class InFlightPulls
{
    private readonly Dictionary<string, Entry> _pulls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _joins;

    public InFlightPulls(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pulls.Count;
            }
        }
    }

    /// <summary>How many times a caller shared a pull instead of starting one: the pulls single-flight saved.</summary>
    public long Joins => Interlocked.Read(ref _joins);

    public bool IsInFlight(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            return _pulls.ContainsKey(BundleKeys.PullKey(stateRef));
        }
    }

    /// <summary>Shares the pull of <paramref name="stateRef"/>'s bundle in flight right now, if any.</summary>
    public bool TryJoin(StateRef stateRef, [NotNullWhen(true)] out Task<Bundle?>? pull)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            if (!_pulls.TryGetValue(BundleKeys.PullKey(stateRef), out var entry) || !entry.CanBeJoinedBy(stateRef))
            {
                pull = null;
                return false;
            }

            pull = entry.Task;
        }

        Interlocked.Increment(ref _joins);
        return true;
    }

    /// <summary>
    /// Joins the pull of <paramref name="stateRef"/>'s bundle in flight, or starts <paramref name="pull"/> as that pull.
    /// The entry is removed when the pull completes, after <paramref name="pull"/>'s own work (e.g. storing the copy),
    /// so a caller arriving later finds the copy locally. The pull is not tied to any caller's cancellation:
    /// <paramref name="pull"/> must bound itself.
    /// </summary>
    /// <param name="stateRef">The bundle, on the node it is pulled from.</param>
    /// <param name="pull">Started only when no joinable pull of the bundle is in flight.</param>
    /// <param name="awaitingWrite">
    /// <paramref name="pull"/> waits for the bundle to be written on <see cref="StateRef.Node"/>: only refs naming that
    /// node may join it; any other ref finds the key free and replaces this entry with its own pull.
    /// </param>
    /// <exception cref="StateUnavailableException">When <see cref="Capacity"/> pulls are already in flight.</exception>
    public InFlightPull JoinOrStart(StateRef stateRef, Func<Task<Bundle?>> pull, bool awaitingWrite = false)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentNullException.ThrowIfNull(pull);
        var key = BundleKeys.PullKey(stateRef);
        var completion = new TaskCompletionSource<Bundle?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var replacing = false;
            if (_pulls.TryGetValue(key, out var running))
            {
                if (running.CanBeJoinedBy(stateRef))
                {
                    Interlocked.Increment(ref _joins);
                    return new InFlightPull(running.Task, Joined: true);
                }

                // An awaiting pull at another node: it keeps running, but no longer answers for this key.
                replacing = true;
            }

            if (!replacing && _pulls.Count >= Capacity)
            {
                throw new StateUnavailableException(stateRef, $"{Capacity} pulls are already in flight on this node (StateOptions.MaxInFlightPulls).");
            }

            _pulls[key] = new Entry(completion.Task, awaitingWrite ? stateRef.Node : null);
        }

        _ = RunAsync(key, pull, completion);
        return new InFlightPull(completion.Task, Joined: false);
    }

    /// <summary>Whether the pull of <paramref name="stateRef"/>'s bundle in flight (if any) awaits a write at some node.</summary>
    public bool IsAwaitingWrite(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        lock (_gate)
        {
            return _pulls.TryGetValue(BundleKeys.PullKey(stateRef), out var entry) && entry.AwaitingNode is not null;
        }
    }

    private async Task RunAsync(string key, Func<Task<Bundle?>> pull, TaskCompletionSource<Bundle?> completion)
    {
        try
        {
            var bundle = await pull().ConfigureAwait(false);
            Remove(key, completion.Task);
            completion.SetResult(bundle);
        }
        catch (OperationCanceledException canceled)
        {
            Remove(key, completion.Task);
            completion.SetCanceled(canceled.CancellationToken);
        }
        catch (Exception error)
        {
            Remove(key, completion.Task);
            completion.SetException(error);
        }
    }

    /// <summary>Removes the entry only if it is still this pull's: a replaced awaiting pull must not remove its successor.</summary>
    private void Remove(string key, Task<Bundle?> own)
    {
        lock (_gate)
        {
            if (_pulls.TryGetValue(key, out var entry) && ReferenceEquals(entry.Task, own))
            {
                _pulls.Remove(key);
            }
        }
    }

    /// <param name="Task">The pull's outcome, as every joiner sees it.</param>
    /// <param name="AwaitingNode">The node an awaiting-write pull asks; null for an ordinary pull (joinable by any ref).</param>
    private readonly record struct Entry(Task<Bundle?> Task, string? AwaitingNode)
    {
        public bool CanBeJoinedBy(StateRef stateRef) =>
            AwaitingNode is null || string.Equals(AwaitingNode, stateRef.Node, StringComparison.Ordinal);
    }
}
