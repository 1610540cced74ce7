using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// Receives the streamed entries of one fetch into this node's Redis item by item (<see cref="BundleStore.BeginCopy"/>):
/// each item is staged as it arrives, so no bundle is ever held whole in memory, and the copy becomes visible only when
/// the stream's commit arrives, with the holder's version. A stream that aborts or breaks leaves nothing behind.
/// </summary>
public sealed class StagedCopyReceiver : IStreamedBundleReceiver
{
    private readonly BundleStore _local;
    private readonly IReadOnlyList<BundleFetch> _fetches;
    private readonly PutCopyResult?[] _outcomes;
    private readonly Lock _gate = new();

    /// <param name="local">This node's (unrestricted) store.</param>
    /// <param name="fetches">What the fetch asked for, in order: an entry for anything else is refused before any item is staged.</param>
    public StagedCopyReceiver(BundleStore local, IReadOnlyList<BundleFetch> fetches)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(fetches);
        _local = local;
        _fetches = fetches;
        _outcomes = new PutCopyResult?[fetches.Count];
    }

    /// <summary>What committing the streamed entry at <paramref name="index"/> did here; null when it was not committed (yet).</summary>
    public PutCopyResult? Outcome(int index)
    {
        lock (_gate)
        {
            return _outcomes[index];
        }
    }

    public ValueTask<IStreamedBundleTarget> BeginAsync(int index, StateRef stateRef, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        if (index < 0 || index >= _fetches.Count || !HttpBundlePuller.SameBundle(stateRef, _fetches[index].StateRef))
        {
            throw new BundleWireFormatException(
                $"entry {index} streams {stateRef}, which is not what the fetch asked for there ({(index >= 0 && index < _fetches.Count ? _fetches[index].StateRef : "nothing")}).");
        }

        return ValueTask.FromResult<IStreamedBundleTarget>(new Target(this, index, _local.BeginCopy(stateRef)));
    }

    private sealed class Target(StagedCopyReceiver owner, int index, StagedBundleCopy copy) : IStreamedBundleTarget
    {
        public async ValueTask AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
            await copy.AppendAsync(name, value, cancellationToken).ConfigureAwait(false);

        public async ValueTask CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken)
        {
            var outcome = await copy.CommitAsync(version, updatedAt, cancellationToken).ConfigureAwait(false);
            lock (owner._gate)
            {
                owner._outcomes[index] = outcome;
            }
        }

        public ValueTask DisposeAsync() => copy.DisposeAsync();
    }
}
