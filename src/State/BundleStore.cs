using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Skylark.Events.Contracts;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>
/// The bundles held by one node's Redis, on the node's one shared multiplexer. Every bundle is one hash written
/// atomically (a reader sees the complete old or the complete new version) and read in one round trip.
/// Thread-safe; create one per node and derive function-scoped views with <see cref="ForFunction"/>.
/// </summary>
public sealed class BundleStore
{
    private const int ScanPageSize = 256;

    // The scripts are a handful of constants: their SHA-1 is computed once per process.
    private static readonly ConcurrentDictionary<string, string> ScriptHashes = new(StringComparer.Ordinal);

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly TimeSpan _defaultTimeToLive;
    private readonly TimeSpan _copyTimeToLive;
    private readonly TimeSpan _stagingTimeToLive;

    public BundleStore(IConnectionMultiplexer redis, StateOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _time = timeProvider ?? TimeProvider.System;
        Node = options.Node;
        Keys = new BundleKeys(options.KeyPrefix);
        MaxBundleBytes = options.MaxBundleBytes;
        _defaultTimeToLive = options.DefaultTimeToLive;
        _copyTimeToLive = options.CopyTimeToLive;
        _stagingTimeToLive = options.StagingTimeToLive;
        Scope = BundleScope.Unrestricted;
    }

    private BundleStore(BundleStore store, BundleScope scope)
    {
        _redis = store._redis;
        _time = store._time;
        Node = store.Node;
        Keys = store.Keys;
        MaxBundleBytes = store.MaxBundleBytes;
        _defaultTimeToLive = store._defaultTimeToLive;
        _copyTimeToLive = store._copyTimeToLive;
        _stagingTimeToLive = store._stagingTimeToLive;
        Scope = scope;
    }

    /// <summary>The node whose Redis this is; bundles written here carry it as their StateRef node.</summary>
    public string Node { get; }

    /// <summary>
    /// Whether the client holds a connection to this node's Redis now. False while its redis-server is down or
    /// restarting (the client reconnects in the background); a command issued meanwhile would wait out the command
    /// timeout in the client's backlog.
    /// </summary>
    public bool IsConnected => _redis.IsConnected;

    public BundleKeys Keys { get; }

    public long MaxBundleBytes { get; }

    /// <summary>Which bundles this instance may change (reads are never restricted).</summary>
    public BundleScope Scope { get; }

    /// <summary>
    /// A view of the same store that may change only bundles owned by <paramref name="function"/>
    /// (<c>{function}</c> or <c>{function}.{name}</c>); other writes fail with <see cref="BundleScopeException"/>.
    /// </summary>
    public BundleStore ForFunction(string function) => new(this, BundleScope.ForFunction(function));

    /// <summary>
    /// Replaces the bundle with <paramref name="items"/> as its next version (1 when it did not exist), atomically,
    /// and (re)sets its TTL (<see cref="StateOptions.DefaultTimeToLive"/> when null).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="stateRef"/> names another node, or an item name is invalid.</exception>
    /// <exception cref="BundleScopeException">This store's function does not own the bundle.</exception>
    /// <exception cref="BundleTooLargeException">The bundle is over <see cref="MaxBundleBytes"/>.</exception>
    public async Task<Bundle> WriteAsync(
        StateRef stateRef,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> items,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        if (!string.Equals(stateRef.Node, Node, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Cannot write '{stateRef}' on node '{Node}': a node writes only its own bundles (use PutCopyAsync for copies).",
                nameof(stateRef));
        }

        Scope.EnsureOwns(stateRef);
        var bundleItems = BundleItems.From(items);
        EnsureFits(stateRef, bundleItems);
        var ttl = RequireTimeToLive(timeToLive ?? _defaultTimeToLive);
        var updatedAt = TruncateToMilliseconds(_time.GetUtcNow());

        // Not cancellable once sent: abandoning the await would not stop the write, only hide its outcome.
        cancellationToken.ThrowIfCancellationRequested();
        var (_, version) = await RunWriteAsync(stateRef, "next", 0, updatedAt, bundleItems, ttl).ConfigureAwait(false);
        return new Bundle(stateRef, version, updatedAt, bundleItems);
    }

    /// <summary>
    /// Stores a copy of a bundle pulled from another node, keeping its version and updated-at, unless this node
    /// already holds that version or a newer one. TTL is <see cref="StateOptions.CopyTimeToLive"/> when null.
    /// </summary>
    public async Task<PutCopyResult> PutCopyAsync(Bundle bundle, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        Scope.EnsureOwns(bundle.StateRef);
        EnsureFits(bundle.StateRef, bundle.Items);
        var ttl = RequireTimeToLive(timeToLive ?? _copyTimeToLive);
        cancellationToken.ThrowIfCancellationRequested();
        var (outcome, version) = await RunWriteAsync(bundle.StateRef, "copy", bundle.Version, bundle.UpdatedAt, bundle.Items, ttl)
            .ConfigureAwait(false);
        return new PutCopyResult(
            outcome switch
            {
                BundleScripts.Written => PutCopyOutcome.Written,
                BundleScripts.SameVersionPresent => PutCopyOutcome.SameVersionPresent,
                _ => PutCopyOutcome.NewerVersionPresent,
            },
            version);
    }

    /// <summary>
    /// Begins writing the next version of a bundle item by item (<see cref="ProgressiveBundleWriter"/>): the items are
    /// staged and announced as they are appended, and become the bundle's next version, atomically, at the commit. The
    /// TTL is set at the commit (<see cref="StateOptions.DefaultTimeToLive"/> when null). Nothing is sent to Redis before
    /// the first append.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="stateRef"/> names another node.</exception>
    /// <exception cref="BundleScopeException">This store's function does not own the bundle.</exception>
    public ProgressiveBundleWriter BeginWrite(StateRef stateRef, TimeSpan? timeToLive = null) => BeginRecordedWrite(stateRef, timeToLive, committed: null);

    internal ProgressiveBundleWriter BeginRecordedWrite(StateRef stateRef, TimeSpan? timeToLive, Action<BundleInfo>? committed)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        if (!string.Equals(stateRef.Node, Node, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Cannot write '{stateRef}' on node '{Node}': a node writes only its own bundles (use BeginCopy for copies).",
                nameof(stateRef));
        }

        Scope.EnsureOwns(stateRef);
        var ttl = RequireTimeToLive(timeToLive ?? _defaultTimeToLive);
        var staging = new BundleStaging(this, stateRef, Keys.ProgressiveKey(stateRef), NewWriteId(), announce: true, ttl, _stagingTimeToLive);
        return new ProgressiveBundleWriter(staging, committed);
    }

    /// <summary>
    /// Begins receiving a copy of another node's bundle item by item (<see cref="StagedBundleCopy"/>), staged under a key
    /// of its own until its commit. TTL is <see cref="StateOptions.CopyTimeToLive"/> when null.
    /// </summary>
    /// <exception cref="BundleScopeException">This store's function does not own the bundle.</exception>
    public StagedBundleCopy BeginCopy(StateRef stateRef, TimeSpan? timeToLive = null)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        Scope.EnsureOwns(stateRef);
        var ttl = RequireTimeToLive(timeToLive ?? _copyTimeToLive);
        var writeId = NewWriteId();
        return new StagedBundleCopy(new BundleStaging(this, stateRef, Keys.CopyStagingKey(stateRef, writeId), writeId, announce: false, ttl, _stagingTimeToLive));
    }

    /// <summary>
    /// Where the progressive write of <paramref name="stateRef"/>'s bundle stands, in one atomic read: the write
    /// <paramref name="writeId"/> (or, when null, whichever is staged now), and its items from index
    /// <paramref name="fromItem"/> on, up to <paramref name="maxBytes"/> of values (none when 0; otherwise at least one
    /// when there is one). Once that write is committed, the items come from the bundle it became.
    /// </summary>
    public async Task<StagedBundleProgress> ReadStagedAsync(StateRef stateRef, string? writeId, int fromItem, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentOutOfRangeException.ThrowIfNegative(fromItem);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var stagingKey = Keys.ProgressiveKey(stateRef);
        var reply = (RedisResult[])(await EvaluateReadOnlyAsync(
            BundleScripts.Progress,
            [stagingKey, Keys.Key(stateRef)],
            [writeId ?? "", fromItem, maxBytes]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        var outcome = (long)reply[0];
        if (outcome == BundleScripts.Gone)
        {
            return StagedBundleProgress.Gone;
        }

        if (outcome == BundleScripts.Superseded)
        {
            return StagedBundleProgress.Gone with { State = StagedBundleState.Superseded, WriteId = (string?)reply[1] };
        }

        var items = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>((reply.Length - 6) / 2);
        for (var i = 6; i + 1 < reply.Length; i += 2)
        {
            items.Add(new((string)reply[i]!, (byte[])reply[i + 1]!));
        }

        return new StagedBundleProgress(
            outcome == 2 ? StagedBundleState.Committed : StagedBundleState.Staging,
            (string?)reply[1],
            (int)(long)reply[2],
            ParseLong(stagingKey, BundleKeys.VersionField, (RedisValue)reply[3]),
            DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(stagingKey, BundleKeys.UpdatedAtField, (RedisValue)reply[4])),
            ParseLong(stagingKey, BundleKeys.SizeField, (RedisValue)reply[5]),
            items);
    }

    /// <summary>The bundle's current version in one HGETALL, or null when this node does not hold it.</summary>
    public async Task<Bundle?> ReadAsync(StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        var key = Keys.Key(stateRef);
        var entries = await Database.HashGetAllAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Decode(stateRef, key, entries);
    }

    /// <summary>
    /// Reads all <paramref name="stateRefs"/> in one round trip, as one consistent snapshot: the HGETALLs are pipelined
    /// inside MULTI/EXEC. (A Lua script would be atomic too, but copies every reply into Lua tables and back: with
    /// 10 MB bundles the fusion benchmark measured it 2.5–3.5× slower than separate reads.)
    /// Results are in input order; null where this node does not hold the bundle.
    /// </summary>
    public async Task<IReadOnlyList<Bundle?>> ReadManyAsync(IReadOnlyList<StateRef> stateRefs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRefs);
        if (stateRefs.Count == 0)
        {
            return [];
        }

        var keys = new RedisKey[stateRefs.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Keys.Key(stateRefs[i] ?? throw new ArgumentException($"stateRefs[{i}] is null.", nameof(stateRefs)));
        }

        var transaction = Database.CreateTransaction();
        var reads = new Task<HashEntry[]>[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            reads[i] = transaction.HashGetAllAsync(keys[i]);
        }

        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var bundles = new Bundle?[keys.Length];
        for (var i = 0; i < bundles.Length; i++)
        {
            bundles[i] = Decode(stateRefs[i], keys[i]!, await reads[i].ConfigureAwait(false));
        }

        return bundles;
    }

    /// <summary>The version this node holds (one HGET), or null when it holds none.</summary>
    public async Task<long?> GetVersionAsync(StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        var key = Keys.Key(stateRef);
        var value = await Database.HashGetAsync(key, BundleKeys.VersionField).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : ParseLong(key, BundleKeys.VersionField, value);
    }

    /// <summary>Version, size and remaining TTL without loading items, or null when this node does not hold the bundle.</summary>
    public async Task<BundleInfo?> GetInfoAsync(StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        var infos = await DescribeAsync([Keys.Key(stateRef)], [stateRef], cancellationToken).ConfigureAwait(false);
        return infos[0];
    }

    /// <returns>True when the bundle existed.</returns>
    /// <exception cref="BundleScopeException">This store's function does not own the bundle.</exception>
    public async Task<bool> DeleteAsync(StateRef stateRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        Scope.EnsureOwns(stateRef);
        cancellationToken.ThrowIfCancellationRequested();
        return await Database.KeyDeleteAsync(Keys.Key(stateRef)).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the bundles this node holds (as StateRefs on <see cref="Node"/>), optionally only those whose workflow id
    /// starts with <paramref name="workflowIdPrefix"/>. Uses SCAN, so Redis is never blocked, and fetches metadata a
    /// page at a time; bundles changing during the listing may or may not appear, as SCAN guarantees.
    /// </summary>
    public async IAsyncEnumerable<BundleInfo> ListAsync(
        string? workflowIdPrefix = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pattern = Keys.ScanPattern(workflowIdPrefix);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            var reply = await Database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", ScanPageSize)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var parts = (RedisResult[])reply!;
            cursor = (string)parts[0]!;
            var keys = new List<RedisKey>();
            var refs = new List<StateRef>();
            foreach (var key in (string[])parts[1]!)
            {
                // SCAN may return a key more than once.
                if (seen.Add(key) && Keys.TryParse(key, Node, out var stateRef))
                {
                    keys.Add(key);
                    refs.Add(stateRef);
                }
            }

            if (keys.Count == 0)
            {
                continue;
            }

            foreach (var info in await DescribeAsync([.. keys], refs, cancellationToken).ConfigureAwait(false))
            {
                if (info is not null)
                {
                    yield return info;
                }
            }
        }
        while (cursor != "0");
    }

    internal IDatabase Database => _redis.GetDatabase();

    internal TimeProvider Time => _time;

    private static string NewWriteId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private async Task<(long Outcome, long Version)> RunWriteAsync(
        StateRef stateRef, string mode, long copyVersion, DateTimeOffset updatedAt, BundleItems items, TimeSpan ttl)
    {
        var args = new RedisValue[6 + (2 * items.Count)];
        args[0] = mode;
        args[1] = copyVersion;
        args[2] = updatedAt.ToUnixTimeMilliseconds();
        args[3] = items.SizeBytes;
        args[4] = (long)Math.Ceiling(ttl.TotalMilliseconds);
        args[5] = Keys.WrittenChannel;
        var i = 6;
        foreach (var (name, value) in items)
        {
            args[i++] = name;
            args[i++] = value;
        }

        var reply = await Database.ScriptEvaluateAsync(
            BundleScripts.Write,
            [Keys.Key(stateRef), Keys.StagingKey(stateRef)],
            args).ConfigureAwait(false);
        var result = (RedisResult[])reply!;
        return ((long)result[0], (long)result[1]);
    }

    /// <summary>
    /// Runs a script that only reads, with EVALSHA_RO (EVAL_RO when the server does not hold it yet, which also loads
    /// it): Redis' ACL takes the keys of a plain EVAL as written too, and a function's user may only read other
    /// functions' bundles (docs/security.md). Sent as a raw command because the client picks the read-only variants
    /// only when it knows the server's version, which a confined user may not ask (INFO).
    /// </summary>
    private async Task<RedisResult> EvaluateReadOnlyAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        var arguments = new object[2 + keys.Length + values.Length];
        arguments[0] = ScriptSha1(script);
        arguments[1] = keys.Length;
        for (var i = 0; i < keys.Length; i++)
        {
            arguments[2 + i] = keys[i];
        }

        for (var i = 0; i < values.Length; i++)
        {
            arguments[2 + keys.Length + i] = values[i];
        }

        try
        {
            return await Database.ExecuteAsync("EVALSHA_RO", arguments).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            arguments[0] = script;
            return await Database.ExecuteAsync("EVAL_RO", arguments).ConfigureAwait(false);
        }
    }

    private static string ScriptSha1(string script) =>
        ScriptHashes.GetOrAdd(script, s => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(s))));

    private async Task<BundleInfo?[]> DescribeAsync(RedisKey[] keys, IReadOnlyList<StateRef> refs, CancellationToken cancellationToken)
    {
        var reply = await EvaluateReadOnlyAsync(BundleScripts.Describe, keys, []).WaitAsync(cancellationToken).ConfigureAwait(false);
        var rows = (RedisResult[])reply!;
        var infos = new BundleInfo?[keys.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = (RedisResult[])rows[i]!;
            var fields = (RedisValue[])row[0]!;
            var pttl = (long)row[1];
            if (fields[0].IsNull || pttl == -2)
            {
                continue;
            }

            var key = keys[i].ToString();
            infos[i] = new BundleInfo(
                refs[i],
                ParseLong(key, BundleKeys.VersionField, fields[0]),
                fields[1].IsNull ? DateTimeOffset.UnixEpoch : DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(key, BundleKeys.UpdatedAtField, fields[1])),
                fields[2].IsNull ? 0 : ParseLong(key, BundleKeys.SizeField, fields[2]),
                pttl < 0 ? null : TimeSpan.FromMilliseconds(pttl));
        }

        return infos;
    }

    private static Bundle? Decode(StateRef stateRef, string key, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        long? version = null;
        long updatedAtMs = 0;
        var items = new Dictionary<string, ReadOnlyMemory<byte>>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = (string)entry.Name!;
            if (name.Length > 0 && name[0] == BundleKeys.ReservedFieldPrefix)
            {
                // Unknown metadata fields are ignored so newer writers can add some.
                if (name == BundleKeys.VersionField)
                {
                    version = ParseLong(key, name, entry.Value);
                }
                else if (name == BundleKeys.UpdatedAtField)
                {
                    updatedAtMs = ParseLong(key, name, entry.Value);
                }

                continue;
            }

            items[name] = (byte[])entry.Value!;
        }

        if (version is not >= 1)
        {
            throw new StateFormatException(key, $"field '{BundleKeys.VersionField}' is missing or below 1.");
        }

        return new Bundle(stateRef, version.Value, DateTimeOffset.FromUnixTimeMilliseconds(updatedAtMs), BundleItems.Adopt(items));
    }

    private static long ParseLong(string key, string field, RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new StateFormatException(key, $"field '{field}' is not an integer.");

    private void EnsureFits(StateRef stateRef, BundleItems items)
    {
        if (items.SizeBytes > MaxBundleBytes)
        {
            throw new BundleTooLargeException(stateRef, items.SizeBytes, MaxBundleBytes);
        }
    }

    private static TimeSpan RequireTimeToLive(TimeSpan ttl) =>
        ttl > TimeSpan.Zero ? ttl : throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A bundle's time to live must be positive.");

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
