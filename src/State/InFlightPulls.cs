using System.Diagnostics.CodeAnalysis;
using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// Single-flight registry of the pulls running on this node, keyed by bundle (workflow id and bundle name, whatever
/// the source node): concurrent callers share one pull. Shared by readers and the StateSink's prefetching, so a
/// function that reads a bundle being propagated waits for that pull instead of starting a second one.
/// Bounded: beyond <see cref="Capacity"/> pulls, new ones are refused.
/// </summary>
public sealed class InFlightPulls
{
    private readonly Dictionary<string, Task<Bundle?>> _pulls = new(StringComparer.Ordinal);
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
            if (!_pulls.TryGetValue(BundleKeys.PullKey(stateRef), out pull))
            {
                return false;
            }
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
    /// <exception cref="StateUnavailableException">When <see cref="Capacity"/> pulls are already in flight.</exception>
    public InFlightPull JoinOrStart(StateRef stateRef, Func<Task<Bundle?>> pull)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentNullException.ThrowIfNull(pull);
        var key = BundleKeys.PullKey(stateRef);
        var completion = new TaskCompletionSource<Bundle?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_pulls.TryGetValue(key, out var running))
            {
                Interlocked.Increment(ref _joins);
                return new InFlightPull(running, Joined: true);
            }

            if (_pulls.Count >= Capacity)
            {
                throw new StateUnavailableException(stateRef, $"{Capacity} pulls are already in flight on this node (StateOptions.MaxInFlightPulls).");
            }

            _pulls.Add(key, completion.Task);
        }

        _ = RunAsync(key, pull, completion);
        return new InFlightPull(completion.Task, Joined: false);
    }

    private async Task RunAsync(string key, Func<Task<Bundle?>> pull, TaskCompletionSource<Bundle?> completion)
    {
        try
        {
            var bundle = await pull().ConfigureAwait(false);
            Remove(key);
            completion.SetResult(bundle);
        }
        catch (OperationCanceledException canceled)
        {
            Remove(key);
            completion.SetCanceled(canceled.CancellationToken);
        }
        catch (Exception error)
        {
            Remove(key);
            completion.SetException(error);
        }
    }

    private void Remove(string key)
    {
        lock (_gate)
        {
            _pulls.Remove(key);
        }
    }
}
