using System.Globalization;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// How often a node's redis-server forces its append-only file to disk: the <c>appendfsync</c> policy of AOF
/// persistence, which lets a restarted server come back with what it held. <see cref="Off"/> keeps everything in
/// memory only, as a benchmark that should not measure the disk wants.
/// </summary>
public enum RedisFsync
{
    /// <summary>No AOF: a restarted redis-server comes back empty.</summary>
    Off,

    /// <summary>AOF written on every change, flushed to disk when the operating system chooses.</summary>
    No,

    /// <summary>AOF flushed once a second: a crash loses at most about the last second of writes.</summary>
    EverySec,

    /// <summary>AOF flushed before every write is acknowledged: nothing acknowledged is lost, at a cost per write.</summary>
    Always,
}

/// <summary>The redis-server arguments for a <see cref="RedisFsync"/>, shared by both runtimes of <c>skylark up</c>.</summary>
public static class RedisPersistence
{
    /// <summary>The names <c>--redis-fsync</c> accepts, as redis.conf spells the policies, plus <c>off</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["always", "everysec", "no", "off"];

    /// <summary>The arguments to add to <see cref="RedisProcess.StartAsync"/>'s for <paramref name="fsync"/>.</summary>
    public static IReadOnlyList<string> Arguments(RedisFsync fsync) => fsync switch
    {
        RedisFsync.Off => ["--appendonly", "no"],
        _ => ["--appendonly", "yes", "--appendfsync", Name(fsync)],
    };

    public static string Name(RedisFsync fsync) => fsync switch
    {
        RedisFsync.Off => "off",
        RedisFsync.No => "no",
        RedisFsync.EverySec => "everysec",
        RedisFsync.Always => "always",
        _ => throw new ArgumentOutOfRangeException(nameof(fsync), fsync, null),
    };

    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of <see cref="Names"/>.</exception>
    public static RedisFsync Parse(string name) => name.ToLowerInvariant() switch
    {
        "off" => RedisFsync.Off,
        "no" => RedisFsync.No,
        "everysec" => RedisFsync.EverySec,
        "always" => RedisFsync.Always,
        _ => throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"'{name}' is not a Redis fsync policy; use one of {string.Join(", ", Names)}."), nameof(name)),
    };
}
