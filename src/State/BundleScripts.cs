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

    /// <summary>Outcomes of <see cref="Append"/>, <see cref="Commit"/> and <see cref="Progress"/> beyond those above.</summary>
    public const long Superseded = 4;
    public const long Gone = 5;
    public const long CountMismatch = 6;

    /// <summary>
    /// Stages one item of a progressive write. KEYS[1] staging key. ARGV[1] write id, ARGV[2] the item's index (0 for
    /// the first), ARGV[3] name, ARGV[4] value, ARGV[5] staging TTL ms, ARGV[6] the channel the append is announced on
    /// ('' for none), ARGV[7] the message (the bundle's key). Returns 1 (staged), <see cref="Superseded"/> (another write
    /// of the bundle began since), <see cref="Gone"/> (the staging expired or was abandoned) or
    /// <see cref="CountMismatch"/>.
    /// </summary>
    /// <remarks>
    /// The first item begins the write: a staging left by an earlier write of the same bundle (abandoned, or the same
    /// function invoked again for the same workflow) is replaced, so the last write begun wins and a reader streaming the
    /// old one sees its write id change. The order of items is kept in <c>_i{n}</c> fields, because a hash has none.
    /// Every append renews the staging's TTL: a producer that stops appending leaves nothing behind for long.
    /// </remarks>
    public const string Append = """
        local owner = redis.call('HGET', KEYS[1], '_w')
        local index = tonumber(ARGV[2])
        if index == 0 then
          if owner then redis.call('DEL', KEYS[1]) end
          redis.call('HSET', KEYS[1], '_w', ARGV[1], '_c', '0')
        elseif owner ~= ARGV[1] then
          if owner then return 4 end
          return 5
        end
        if tonumber(redis.call('HGET', KEYS[1], '_c')) ~= index then return 6 end
        redis.call('HSET', KEYS[1], ARGV[3], ARGV[4], '_i' .. ARGV[2], ARGV[3], '_c', string.format('%d', index + 1))
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
        return 1
        """;

    /// <summary>
    /// Commits a progressive write: the staging becomes the bundle in one RENAME, as <see cref="Write"/> does.
    /// KEYS[1] bundle key, KEYS[2] staging key. ARGV[1] write id, ARGV[2] 'next' or 'copy' (as in <see cref="Write"/>),
    /// ARGV[3] copy version, ARGV[4] updated-at ms, ARGV[5] size, ARGV[6] TTL ms, ARGV[7] the written channel,
    /// ARGV[8] the staged channel ('' for none), ARGV[9] the number of items the writer appended.
    /// Returns { outcome, version }: <see cref="Written"/>, <see cref="SameVersionPresent"/> or
    /// <see cref="NewerVersionPresent"/> (copies; the staging is dropped), <see cref="Superseded"/>, <see cref="Gone"/>,
    /// or <see cref="CountMismatch"/> (the staging holds another number of items than the writer appended).
    /// </summary>
    /// <remarks>
    /// A function's write keeps its write id and item order in the bundle (readers ignore metadata fields), so a reader
    /// that streamed the staging can tell that this version is the one it streamed and send the items it has not sent
    /// yet. A copy drops them: they describe the write on its own node.
    /// </remarks>
    public const string Commit = """
        local owner = redis.call('HGET', KEYS[2], '_w')
        local items = tonumber(ARGV[9])
        if not owner and items == 0 then
          redis.call('HSET', KEYS[2], '_w', ARGV[1], '_c', '0')
          owner = ARGV[1]
        end
        if owner ~= ARGV[1] then
          if owner then return {4, 0} end
          return {5, 0}
        end
        local count = tonumber(redis.call('HGET', KEYS[2], '_c'))
        if count ~= items then return {6, count} end
        local current = tonumber(redis.call('HGET', KEYS[1], '_v') or '0') or 0
        local version
        if ARGV[2] == 'copy' then
          version = tonumber(ARGV[3])
          if current >= version then
            redis.call('DEL', KEYS[2])
            if current == version then return {2, current} end
            return {3, current}
          end
          local fields = {'_w', '_c'}
          for i = 0, count - 1 do fields[#fields + 1] = '_i' .. i end
          local i = 1
          while i <= #fields do
            local last = math.min(i + 511, #fields)
            redis.call('HDEL', KEYS[2], unpack(fields, i, last))
            i = last + 1
          end
        else
          version = current + 1
        end
        redis.call('HSET', KEYS[2], '_v', string.format('%d', version), '_t', ARGV[4], '_n', ARGV[5])
        redis.call('RENAME', KEYS[2], KEYS[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        redis.call('PUBLISH', ARGV[7], KEYS[1])
        if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], KEYS[1]) end
        return {1, version}
        """;

    /// <summary>
    /// Abandons a progressive write: deletes its staging if it is still this write's. KEYS[1] staging key. ARGV[1] write
    /// id, ARGV[2] the staged channel ('' for none), ARGV[3] the bundle's key. Returns 1 when deleted, 0 otherwise.
    /// </summary>
    public const string Abandon = """
        if redis.call('HGET', KEYS[1], '_w') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
        return 1
        """;

    /// <summary>
    /// What a reader streaming a progressive write has not seen yet, in one atomic read. KEYS[1] staging key, KEYS[2]
    /// bundle key. ARGV[1] write id ('' for whichever write is staged now), ARGV[2] the first item index wanted,
    /// ARGV[3] a byte budget for the values returned (0: none; otherwise at least one item when there is one).
    /// Returns { 1 staging | 2 committed, write id, item count, version, updated-at, size, name, value, … } (version,
    /// updated-at and size are 0 while staging), { <see cref="Gone"/> } when nothing is staged (or no longer, and that
    /// write was not committed), or { <see cref="Superseded"/>, other write id }.
    /// </summary>
    public const string Progress = """
        local id = ARGV[1]
        local key = KEYS[1]
        local state = 1
        local owner = redis.call('HGET', KEYS[1], '_w')
        if id == '' then
          if not owner then return {5} end
          id = owner
        elseif owner ~= id then
          if redis.call('HGET', KEYS[2], '_w') == id then
            key = KEYS[2]
            state = 2
          elseif owner then
            return {4, owner}
          else
            return {5}
          end
        end
        local meta = redis.call('HMGET', key, '_c', '_v', '_t', '_n')
        local count = tonumber(meta[1]) or 0
        local result = {state, id, count, meta[2] or '0', meta[3] or '0', meta[4] or '0'}
        local budget = tonumber(ARGV[3])
        local i = tonumber(ARGV[2])
        while i < count and budget > 0 do
          local name = redis.call('HGET', key, '_i' .. i)
          local value = name and redis.call('HGET', key, name)
          if not value then return redis.error_reply('item ' .. i .. ' of the staged write is missing') end
          result[#result + 1] = name
          result[#result + 1] = value
          budget = budget - #value
          i = i + 1
        end
        return result
        """;
}
