namespace Skylark.Events.State;

/// <summary>The Lua scripts behind <see cref="BundleStore"/>. Field names are those of <see cref="BundleKeys"/>.</summary>
internal static class BundleScripts
{
    public const long Written = 1;
    public const long SameVersionPresent = 2;
    public const long NewerVersionPresent = 3;

    /// <summary>
    /// KEYS[1] bundle key, KEYS[2] staging key.
    /// ARGV[1] 'next' (a function's write: version + 1) or 'copy' (keep ARGV[2] unless the local version is as new),
    /// ARGV[2] copy version, ARGV[3] updated-at ms, ARGV[4] size, ARGV[5] TTL ms, ARGV[6] the channel a successful
    /// write is announced on (message: KEYS[1]), ARGV[7..] item name/value pairs.
    /// Returns { outcome, version now held }.
    /// </summary>
    /// <remarks>
    /// A script already runs atomically, but Redis does not roll a script back when a command fails half-way
    /// (e.g. out of memory while adding items). Building the new version under the staging key and RENAMEing it
    /// over the bundle only at the end means the bundle key always holds a complete old or a complete new version.
    /// HSET is called in chunks because unpack() of a whole large bundle would overflow Lua's C stack.
    /// The PUBLISH is part of the script, so a subscriber is told only after the new version is in place
    /// (<see cref="BundleWriteWatcher"/> long polls rely on that).
    /// </remarks>
    public const string Write = """
        local current = tonumber(redis.call('HGET', KEYS[1], '_v') or '0') or 0
        local version
        if ARGV[1] == 'copy' then
          version = tonumber(ARGV[2])
          if current == version then return {2, current} end
          if current > version then return {3, current} end
        else
          version = current + 1
        end
        redis.call('DEL', KEYS[2])
        redis.call('HSET', KEYS[2], '_v', string.format('%d', version), '_t', ARGV[3], '_n', ARGV[4])
        local i = 7
        while i <= #ARGV do
          local last = math.min(i + 511, #ARGV)
          redis.call('HSET', KEYS[2], unpack(ARGV, i, last))
          i = last + 1
        end
        redis.call('RENAME', KEYS[2], KEYS[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('PUBLISH', ARGV[6], KEYS[1])
        return {1, version}
        """;

    /// <summary>For each key: { {version, updated-at, size}, PTTL } (PTTL -1: no expiry, -2: gone).</summary>
    public const string Describe = """
        local result = {}
        for i = 1, #KEYS do
          result[i] = { redis.call('HMGET', KEYS[i], '_v', '_t', '_n'), redis.call('PTTL', KEYS[i]) }
        end
        return result
        """;
}
