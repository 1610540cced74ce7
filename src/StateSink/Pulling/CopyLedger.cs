using System.Globalization;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// Which bundles in this node's Redis are copies pulled from another node, and at which version: the hash
/// <c>{prefix}:sink:copies</c>, field <c>{workflowid}:{bundle}</c>, value <c>{version} {size} {source node}</c>.
/// </summary>
/// <remarks>
/// Bundle keys do not say where a bundle came from, and a function that moved writes the next version over the copy
/// it pulled; that version exists nowhere else. Only a bundle whose local version is still the one recorded here
/// is a copy another node also holds, so only those may be evicted to stay within the memory budget.
/// Kept in Redis rather than in memory so the record survives sink restarts and is shared by everything on the node
/// that pulls through the node's <see cref="HttpBundlePuller"/>.
/// </remarks>
public sealed class CopyLedger
{
    private const int PageSize = 256;

    private const string ForgetMissingScript = """
        local forgotten = 0
        for i = 2, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 0 then
            forgotten = forgotten + redis.call('HDEL', KEYS[1], ARGV[i - 1])
          end
        end
        return forgotten
        """;

    private readonly IConnectionMultiplexer _redis;

    public CopyLedger(IConnectionMultiplexer redis, BundleKeys keys)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        _redis = redis;
        Keys = keys;
        Key = $"{keys.Prefix}:sink:copies";
    }

    public BundleKeys Keys { get; }

    /// <summary>The ledger hash.</summary>
    public string Key { get; }

    /// <summary>
    /// Notes that <paramref name="pulled"/> came from <paramref name="sourceNode"/>. Fire-and-forget: pulls do not wait
    /// for bookkeeping, and the multiplexer sends it before the copy's own write, which the caller issues later.
    /// </summary>
    public void Record(Bundle pulled, string sourceNode)
    {
        ArgumentNullException.ThrowIfNull(pulled);
        ArgumentException.ThrowIfNullOrEmpty(sourceNode);
        _redis.GetDatabase().HashSet(Key, Field(pulled.StateRef), Format(pulled.Version, pulled.SizeBytes, sourceNode), flags: CommandFlags.FireAndForget);
    }

    /// <summary>Notes a copy that came from <paramref name="sourceNode"/> item by item (see <see cref="Record(Bundle, string)"/>).</summary>
    public void Record(StateRef stateRef, long version, long sizeBytes, string sourceNode)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentException.ThrowIfNullOrEmpty(sourceNode);
        _redis.GetDatabase().HashSet(Key, Field(stateRef), Format(version, sizeBytes, sourceNode), flags: CommandFlags.FireAndForget);
    }

    /// <summary>The field of <paramref name="stateRef"/>'s bundle, whatever its node.</summary>
    public static string Field(StateRef stateRef) => BundleKeys.PullKey(stateRef);

    /// <summary>Every recorded copy, by field (HSCAN, so Redis is never blocked).</summary>
    public async Task<IReadOnlyDictionary<string, CopyLedgerEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, CopyLedgerEntry>(StringComparer.Ordinal);
        await foreach (var entry in _redis.GetDatabase().HashScanAsync(Key, pageSize: PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var field = (string?)entry.Name;
            if (IsField(field) && TryParse((string?)entry.Value, out var parsed))
            {
                entries[field] = parsed;
            }
        }

        return entries;
    }

    /// <summary>Forgets the copies whose bundle is gone (expired or deleted); EXISTS does not touch Redis' LRU clock.</summary>
    /// <returns>How many were forgotten.</returns>
    public async Task<int> ForgetMissingAsync(IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var forgotten = 0;
        foreach (var page in fields.Chunk(PageSize))
        {
            var keys = new RedisKey[page.Length + 1];
            var args = new RedisValue[page.Length];
            keys[0] = Key;
            for (var i = 0; i < page.Length; i++)
            {
                keys[i + 1] = BundleKey(page[i]);
                args[i] = page[i];
            }

            var result = await _redis.GetDatabase().ScriptEvaluateAsync(ForgetMissingScript, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            forgotten += (int)result;
        }

        return forgotten;
    }

    /// <summary>The bundle key a ledger field stands for (fields are <c>{workflowid}:{bundle}</c>; neither contains ':').</summary>
    public string BundleKey(string field)
    {
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        return Keys.Key(field[..colon], field[(colon + 1)..]);
    }

    private static bool IsField([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? field)
    {
        var colon = field?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0 && StateRef.IsValidSegment(field![..colon]) && StateRef.IsValidSegment(field[(colon + 1)..]);
    }

    private static string Format(long version, long size, string sourceNode) =>
        string.Create(CultureInfo.InvariantCulture, $"{version} {size} {sourceNode}");

    private static bool TryParse(string? value, out CopyLedgerEntry entry)
    {
        entry = default;
        var parts = value?.Split(' ') ?? [];
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !StateRef.IsValidSegment(parts[2]))
        {
            return false;
        }

        entry = new CopyLedgerEntry(version, size, parts[2]);
        return true;
    }
}

/// <summary>A copy as recorded when it was pulled.</summary>
public readonly record struct CopyLedgerEntry(long Version, long SizeBytes, string SourceNode);
