using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// A bundle written item by item, as a function produces its output (<see cref="BundleStore.BeginWrite"/>). Each
/// <see cref="AppendAsync"/> stages one item in this node's Redis and announces it on
/// <see cref="BundleKeys.StagedChannel"/>, so the StateSink can stream the items to the node where the next function
/// will run while this one is still producing them. <see cref="CommitAsync"/> makes them the bundle's next version in one
/// atomic step, exactly as <see cref="BundleStore.WriteAsync"/> does: until then readers see the previous version (or
/// none), never a part, and the version, updated-at and size exist only from the commit on.
/// </summary>
/// <remarks>
/// Disposing without committing abandons the write (its staging is deleted and the abandonment announced); a producer
/// that dies leaves a staging that expires after <see cref="StateOptions.StagingTimeToLive"/> without an append.
/// When another write of the same bundle begins (its first append) before this one commits, the later one wins and
/// this one fails with <see cref="StateUnavailableException"/>. Not thread-safe: append and commit one at a time.
/// A value must not change until its <see cref="AppendAsync"/> has completed.
/// </remarks>
public sealed class ProgressiveBundleWriter : IAsyncDisposable
{
    private readonly BundleStaging _staging;
    private readonly Action<BundleInfo>? _committed;

    internal ProgressiveBundleWriter(BundleStaging staging, Action<BundleInfo>? committed)
    {
        _staging = staging;
        _committed = committed;
    }

    public StateRef StateRef => _staging.StateRef;

    /// <summary>This write's id, kept in the bundle it commits (see <see cref="BundleKeys.WriteIdField"/>).</summary>
    public string WriteId => _staging.WriteId;

    public int ItemCount => _staging.ItemCount;

    /// <summary>Item names plus values appended so far; the bundle's size once committed.</summary>
    public long SizeBytes => _staging.SizeBytes;

    public bool IsCommitted => _staging.IsCommitted;

    /// <summary>Stages one item and announces it.</summary>
    /// <exception cref="ArgumentException">The name is invalid or was appended already.</exception>
    /// <exception cref="BundleTooLargeException">The bundle would exceed <see cref="BundleStore.MaxBundleBytes"/>; nothing more was staged.</exception>
    /// <exception cref="StateUnavailableException">The write was superseded by a later one, or its staging expired.</exception>
    public Task AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _staging.AppendAsync(name, value, cancellationToken);

    /// <summary>Makes the staged items the bundle's next version (1 when it did not exist), atomically, and sets its TTL.</summary>
    /// <exception cref="StateUnavailableException">The write was superseded by a later one, or its staging expired.</exception>
    public async Task<BundleInfo> CommitAsync(CancellationToken cancellationToken = default)
    {
        var (_, version, updatedAt) = await _staging.CommitAsync("next", 0, updatedAt: null, cancellationToken).ConfigureAwait(false);
        var info = new BundleInfo(StateRef, version, updatedAt, SizeBytes, _staging.TimeToLive);
        _committed?.Invoke(info);
        return info;
    }

    /// <summary>Abandons the write unless it was committed.</summary>
    public ValueTask DisposeAsync() => _staging.AbandonAsync();
}

/// <summary>
/// A copy of another node's bundle received item by item (<see cref="BundleStore.BeginCopy"/>): the items are staged
/// in a key private to this transfer as they arrive, and <see cref="CommitAsync"/> stores them with the source's
/// version and updated-at, in one atomic step, unless this node already holds that version or a newer one (as
/// <see cref="BundleStore.PutCopyAsync"/>). Disposing without committing deletes the staging: nothing partial is kept.
/// </summary>
public sealed class StagedBundleCopy : IAsyncDisposable
{
    private readonly BundleStaging _staging;

    internal StagedBundleCopy(BundleStaging staging) => _staging = staging;

    public StateRef StateRef => _staging.StateRef;

    public int ItemCount => _staging.ItemCount;

    public long SizeBytes => _staging.SizeBytes;

    /// <inheritdoc cref="ProgressiveBundleWriter.AppendAsync"/>
    public Task AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _staging.AppendAsync(name, value, cancellationToken);

    /// <summary>Stores the staged items as version <paramref name="version"/> of the bundle, written at <paramref name="updatedAt"/>.</summary>
    public async Task<PutCopyResult> CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        var (outcome, held, _) = await _staging.CommitAsync("copy", version, updatedAt, cancellationToken).ConfigureAwait(false);
        return new PutCopyResult(
            outcome switch
            {
                BundleScripts.Written => PutCopyOutcome.Written,
                BundleScripts.SameVersionPresent => PutCopyOutcome.SameVersionPresent,
                _ => PutCopyOutcome.NewerVersionPresent,
            },
            held);
    }

    public ValueTask DisposeAsync() => _staging.AbandonAsync();
}
