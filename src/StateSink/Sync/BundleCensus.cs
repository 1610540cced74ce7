using System.Globalization;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// Lists the bundles in this node's Redis with their size, version and last access, for the memory budget.
/// </summary>
/// <remarks>
/// Recency comes from Redis' own LRU clock (<c>OBJECT IDLETIME</c>, whole seconds), which every read and write of a
/// key updates. Reading a bundle's size or version is itself such a read, so a naive census would make every bundle
/// look just used. This one asks for idle times first (OBJECT IDLETIME touches nothing), reads sizes only of bundles
/// it has not seen or that were accessed since it last looked, and remembers the access time it saw before its own
/// read. A bundle is "not accessed since" when its LRU clock value is still exactly the one the census's own read
/// left (same-second accesses are indistinguishable, as in Redis itself). Redis 7.2's CLIENT NO-TOUCH would make
/// this unnecessary, but the nodes run 7.0 and share one connection with the functions, whose reads must count.
/// One census at a time (the periodic sync runs one at a time).
/// </remarks>
public sealed class BundleCensus
{
    private const int PageSize = 256;
    private const long LruClockModulus = 1 << 24;

    /// <summary>KEYS: bundle keys. Returns { TIME seconds, LRU clock, idle seconds per key (-1 when gone) }.</summary>
    private const string IdleScript = """
        local t = redis.call('TIME')
        local clock = tonumber(string.match(redis.call('INFO', 'server'), 'lru_clock:(%d+)'))
        local result = { tonumber(t[1]), clock }
        for i = 1, #KEYS do
          result[i + 2] = redis.call('OBJECT', 'IDLETIME', KEYS[i]) or -1
        end
        return result
        """;

    /// <summary>KEYS: bundle keys. Returns { TIME seconds, LRU clock, { version, size } per key ('' when absent or not a hash) }.</summary>
    private const string ReadScript = """
        local t = redis.call('TIME')
        local clock = tonumber(string.match(redis.call('INFO', 'server'), 'lru_clock:(%d+)'))
        local result = { tonumber(t[1]), clock }
        for i = 1, #KEYS do
          local fields = redis.pcall('HMGET', KEYS[i], '_v', '_n')
          if type(fields) == 'table' and fields.err == nil then
            result[i + 2] = { fields[1] or '', fields[2] or '' }
          else
            result[i + 2] = { '', '' }
          end
        end
        return result
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly BundleKeys _keys;
    private readonly string _node;
    private Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    public BundleCensus(IConnectionMultiplexer redis, BundleKeys keys, string node)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _redis = redis;
        _keys = keys;
        _node = node;
    }

    public async Task<IReadOnlyList<CensusEntry>> TakeAsync(CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        var entries = new List<CensusEntry>();
        var seenNow = new Dictionary<string, Seen>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            var reply = (RedisResult[])(await database.ExecuteAsync("SCAN", cursor, "MATCH", _keys.ScanPattern(), "COUNT", PageSize)
                .WaitAsync(cancellationToken).ConfigureAwait(false))!;
            cursor = (string)reply[0]!;

            // SCAN may return a key more than once.
            var page = ((string[])reply[1]!).Where(k => !seenNow.ContainsKey(k) && _keys.TryParse(k, _node, out _)).Distinct().ToArray();
            if (page.Length > 0)
            {
                await CountPageAsync(database, page, entries, seenNow, cancellationToken).ConfigureAwait(false);
            }
        }
        while (cursor != "0");

        _seen = seenNow;
        return entries;
    }

    private async Task CountPageAsync(IDatabase database, string[] page, List<CensusEntry> entries, Dictionary<string, Seen> seenNow, CancellationToken cancellationToken)
    {
        var idle = (RedisResult[])(await database.ScriptEvaluateAsync(IdleScript, [.. page.Select(k => (RedisKey)k)])
            .WaitAsync(cancellationToken).ConfigureAwait(false))!;
        var now = (long)idle[0];
        var clock = (long)idle[1];
        var toRead = new List<(string Key, long LastAccess)>();
        for (var i = 0; i < page.Length; i++)
        {
            var idleSeconds = (long)idle[i + 2];
            if (idleSeconds < 0)
            {
                continue;
            }

            var lru = Mod(clock - idleSeconds);
            if (_seen.TryGetValue(page[i], out var seen) && seen.LruAfterRead == lru)
            {
                // Untouched since the census read it: same version and size, and its last real access is the one remembered.
                seenNow[page[i]] = seen;
                entries.Add(Entry(page[i], seen));
            }
            else
            {
                toRead.Add((page[i], now - idleSeconds));
            }
        }

        if (toRead.Count == 0)
        {
            return;
        }

        var read = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, [.. toRead.Select(k => (RedisKey)k.Key)])
            .WaitAsync(cancellationToken).ConfigureAwait(false))!;
        var readClock = (long)read[1];
        for (var i = 0; i < toRead.Count; i++)
        {
            var fields = (RedisResult[])read[i + 2]!;
            if (!TryLong(fields[0], out var version) || version < 1)
            {
                continue;
            }

            _ = TryLong(fields[1], out var size);
            var seen = new Seen(version, size, readClock, toRead[i].LastAccess);
            seenNow[toRead[i].Key] = seen;
            entries.Add(Entry(toRead[i].Key, seen));
        }
    }

    private CensusEntry Entry(string key, Seen seen)
    {
        _keys.TryParse(key, _node, out var stateRef);
        return new CensusEntry(key, stateRef!, seen.Version, seen.SizeBytes, DateTimeOffset.FromUnixTimeSeconds(seen.LastAccessUnixSeconds));
    }

    private static long Mod(long value) => ((value % LruClockModulus) + LruClockModulus) % LruClockModulus;

    private static bool TryLong(RedisResult value, out long number) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out number);

    /// <param name="Version">The version read.</param>
    /// <param name="SizeBytes">The size field read.</param>
    /// <param name="LruAfterRead">Redis' LRU clock when the census read it: the key's LRU value until something else touches it.</param>
    /// <param name="LastAccessUnixSeconds">When something other than the census last touched it.</param>
    private sealed record Seen(long Version, long SizeBytes, long LruAfterRead, long LastAccessUnixSeconds);
}
