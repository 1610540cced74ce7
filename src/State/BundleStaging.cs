using Skylark.Events.Contracts;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>
/// The staging both kinds of item-by-item write share (<see cref="ProgressiveBundleWriter"/>, <see cref="StagedBundleCopy"/>):
/// items go to a staging hash as they come, and the commit renames it over the bundle in one step, so readers see the
/// old or the complete new version, never a part. The writer keeps the names and size it appended, so limits are
/// checked before anything is sent and the commit can tell the staging holds exactly what was appended.
/// Not thread-safe: one caller appends and commits; concurrent calls are refused.
/// </summary>
internal sealed class BundleStaging
{
    private readonly BundleStore _store;
    private readonly RedisKey _stagingKey;
    private readonly RedisKey _bundleKey;
    private readonly string _announceOn;
    private readonly TimeSpan _stagingTimeToLive;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _busy;
    private Phase _phase;

    public BundleStaging(BundleStore store, StateRef stateRef, RedisKey stagingKey, string writeId, bool announce, TimeSpan timeToLive, TimeSpan stagingTimeToLive)
    {
        _store = store;
        StateRef = stateRef;
        _stagingKey = stagingKey;
        _bundleKey = store.Keys.Key(stateRef);
        WriteId = writeId;
        _announceOn = announce ? store.Keys.StagedChannel : "";
        TimeToLive = timeToLive;
        _stagingTimeToLive = stagingTimeToLive;
    }

    private enum Phase
    {
        Open,
        Committed,

        /// <summary>An append or the commit failed: no more items, but whatever is still staged under this write's id is abandoned.</summary>
        Failed,

        /// <summary>Nothing of this write is staged any more (abandoned, or a copy dropped because its version was here already).</summary>
        Over,
    }

    public StateRef StateRef { get; }

    public string WriteId { get; }

    public TimeSpan TimeToLive { get; }

    public int ItemCount { get; private set; }

    /// <summary>UTF-8 bytes of the names plus the values appended so far (<see cref="BundleItems.SizeBytes"/> of the result).</summary>
    public long SizeBytes { get; private set; }

    public bool IsCommitted => _phase == Phase.Committed;

    public async Task AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            EnsureOpen();
            if (!BundleItems.IsValidName(name, out var problem))
            {
                throw new ArgumentException(problem, nameof(name));
            }

            if (_names.Contains(name))
            {
                throw new ArgumentException($"Bundle item '{name}' was appended twice.", nameof(name));
            }

            var size = SizeBytes + NameBytes(name) + value.Length;
            if (size > _store.MaxBundleBytes)
            {
                throw new BundleTooLargeException(StateRef, size, _store.MaxBundleBytes);
            }

            // Not cancellable once sent: abandoning the await would not stop the append, only hide its outcome.
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = (long)await _store.Database.ScriptEvaluateAsync(
                BundleScripts.Append,
                [_stagingKey],
                [WriteId, ItemCount, name, value, Milliseconds(_stagingTimeToLive), _announceOn, _bundleKey.ToString()]).ConfigureAwait(false);
            if (outcome != BundleScripts.Written)
            {
                _phase = Phase.Failed;
                throw Lost(outcome, ItemCount);
            }

            _names.Add(name);
            ItemCount++;
            SizeBytes = size;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Renames the staging over the bundle: as its next version ('next'), or keeping <paramref name="copyVersion"/> ('copy').</summary>
    /// <returns>The script's outcome (<see cref="BundleScripts.Written"/>, or for a copy the same or a newer version present) and the version held now.</returns>
    public async Task<(long Outcome, long Version, DateTimeOffset UpdatedAt)> CommitAsync(string mode, long copyVersion, DateTimeOffset? updatedAt, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            EnsureOpen();
            var at = DateTimeOffset.FromUnixTimeMilliseconds((updatedAt ?? _store.Time.GetUtcNow()).ToUnixTimeMilliseconds());
            cancellationToken.ThrowIfCancellationRequested();
            var reply = (RedisResult[])(await _store.Database.ScriptEvaluateAsync(
                BundleScripts.Commit,
                [_bundleKey, _stagingKey],
                [
                    WriteId, mode, copyVersion, at.ToUnixTimeMilliseconds(), SizeBytes, Milliseconds(TimeToLive),
                    _store.Keys.WrittenChannel, _announceOn, ItemCount,
                ]).ConfigureAwait(false))!;
            var outcome = (long)reply[0];
            var version = (long)reply[1];
            if (outcome is BundleScripts.Written or BundleScripts.SameVersionPresent or BundleScripts.NewerVersionPresent)
            {
                // A copy whose version is here already: the script dropped its staging.
                _phase = outcome == BundleScripts.Written ? Phase.Committed : Phase.Over;
                return (outcome, version, at);
            }

            _phase = Phase.Failed;
            throw Lost(outcome, version);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Deletes the staging unless the write was committed or is over; the script deletes it only while it is still this
    /// write's, so abandoning after another write took over is harmless. Never throws: a staging left behind expires.
    /// </summary>
    public async ValueTask AbandonAsync()
    {
        if (_phase is Phase.Committed or Phase.Over || Interlocked.Exchange(ref _busy, 1) != 0)
        {
            return;
        }

        try
        {
            _phase = Phase.Over;
            await _store.Database.ScriptEvaluateAsync(
                BundleScripts.Abandon,
                [_stagingKey],
                [WriteId, _announceOn, _bundleKey.ToString()]).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            // Redis is unreachable: the staging expires after StateOptions.StagingTimeToLive.
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static long NameBytes(string name) => System.Text.Encoding.UTF8.GetByteCount(name);

    private static long Milliseconds(TimeSpan time) => (long)Math.Ceiling(time.TotalMilliseconds);

    private StateException Lost(long outcome, long seen) => outcome switch
    {
        BundleScripts.Superseded => new StateUnavailableException(
            StateRef, $"another write of the bundle began on node '{_store.Node}' while this one was staged (the last write begun wins); nothing of this one was kept."),
        BundleScripts.Gone => new StateUnavailableException(
            StateRef, $"its staging on node '{_store.Node}' is gone: nothing was appended for longer than {_stagingTimeToLive} (StateOptions.StagingTimeToLive), or it was abandoned; nothing was kept."),
        BundleScripts.CountMismatch => new StateFormatException(
            _stagingKey.ToString(), $"the staging holds {seen} items but this write appended {ItemCount}."),
        _ => new StateFormatException(_stagingKey.ToString(), $"unexpected outcome {outcome} of a staged write."),
    };

    private void EnsureOpen()
    {
        if (_phase != Phase.Open)
        {
            throw new InvalidOperationException(_phase == Phase.Committed
                ? $"The write of '{StateRef}' was committed; it takes no more items."
                : $"The write of '{StateRef}' is over (it failed or was abandoned); begin a new one.");
        }
    }

    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"The write of '{StateRef}' is already busy: append and commit one at a time.");
        }
    }

    private void Exit() => Volatile.Write(ref _busy, 0);
}
