using Skylark.Events.Contracts;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>Configuration of a node's state: where its Redis is, what this node is called, and the limits.</summary>
public sealed class StateOptions
{

    /// <summary>StackExchange.Redis configuration string, at least <c>host:port</c> (e.g. <c>127.0.0.1:6379</c>).</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>The Redis password (<c>requirepass</c>); overrides any password in <see cref="Configuration"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The Redis ACL user <see cref="Password"/> belongs to; null for Redis' <c>default</c> user. Overrides any user in
    /// <see cref="Configuration"/>.
    /// </summary>
    public string? User { get; set; }

    /// <summary>This node's name: the first StateRef segment of every bundle its Redis holds.</summary>
    public string Node { get; set; } = "local";

    /// <summary>
    /// The node this process runs on when its store is another node's Redis (a central store, e.g. the cloud's: the
    /// usual serverless baseline); null when the store is this node's own. Reads from a store elsewhere cross a link,
    /// so functions report them as remote.
    /// </summary>
    public string? HostNode { get; set; }

    /// <summary>Project prefix of every Redis key (see <see cref="BundleKeys"/>); tests use one per test to stay apart.</summary>
    public string KeyPrefix { get; set; } = BundleKeys.DefaultPrefix;

    /// <summary>Largest bundle (item names plus values) a write or copy may store.</summary>
    public long MaxBundleBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>TTL of a write that does not give one.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>TTL of a copy pulled from another node.</summary>
    public TimeSpan CopyTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the staging of an item-by-item write (<see cref="BundleStore.BeginWrite"/>, and copies streamed in from
    /// another node) outlives its last append: a producer that stops appending without committing or abandoning (it
    /// crashed) leaves nothing behind for longer. Must be longer than the longest pause between two items.
    /// </summary>
    public TimeSpan StagingTimeToLive { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one pull from another node may take.</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a reader waits for a pull of the same bundle already in flight on this node.</summary>
    public TimeSpan InFlightWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most pulls in flight at once on this node; more are refused rather than queued without bound.</summary>
    public int MaxInFlightPulls { get; set; } = 1024;

    /// <summary>Most waits for a bundle to be written (the peer API's long polls) at once on this node; more are refused.</summary>
    public int MaxWriteWaiters { get; set; } = 4096;

    /// <summary>
    /// How long one Redis command may take (StackExchange.Redis' sync and async timeouts). The client's 5 s default
    /// suits a node-local Redis; a store reached over a slow link (a central store behind a 30 Mbit/s path) needs
    /// longer, because writing or reading a large bundle is one command whose bytes all cross that link.
    /// </summary>
    public TimeSpan RedisCommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new ArgumentException("StateOptions.Configuration must name the node's Redis, e.g. '127.0.0.1:6379'.");
        }

        if (!StateRef.IsValidSegment(Node))
        {
            throw new ArgumentException($"StateOptions.Node '{Node}' must match {StateRef.SegmentPattern}.");
        }

        if (HostNode is not null && !StateRef.IsValidSegment(HostNode))
        {
            throw new ArgumentException($"StateOptions.HostNode '{HostNode}' must match {StateRef.SegmentPattern}.");
        }

        _ = new BundleKeys(KeyPrefix);
        RequirePositive(MaxBundleBytes, nameof(MaxBundleBytes));
        RequirePositive(DefaultTimeToLive, nameof(DefaultTimeToLive));
        RequirePositive(CopyTimeToLive, nameof(CopyTimeToLive));
        RequirePositive(StagingTimeToLive, nameof(StagingTimeToLive));
        RequirePositive(PullTimeout, nameof(PullTimeout));
        RequirePositive(InFlightWaitTimeout, nameof(InFlightWaitTimeout));
        RequirePositive(MaxInFlightPulls, nameof(MaxInFlightPulls));
        RequirePositive(MaxWriteWaiters, nameof(MaxWriteWaiters));
        RequirePositive(RedisCommandTimeout, nameof(RedisCommandTimeout));
        if (RedisCommandTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"StateOptions.RedisCommandTimeout must be at most {TimeSpan.FromMilliseconds(int.MaxValue)}; got {RedisCommandTimeout}.");
        }
    }

    /// <summary>
    /// The multiplexer configuration. It does not abort when Redis is not up yet: a node's services may start
    /// before its Redis, and the multiplexer keeps reconnecting in the background.
    /// </summary>
    public ConfigurationOptions ToRedisConfiguration()
    {
        var configuration = ConfigurationOptions.Parse(Configuration);
        if (Password is not null)
        {
            configuration.Password = Password;
        }

        if (User is not null)
        {
            configuration.User = User;
        }

        if (configuration.User is not null)
        {
            // A confined ACL user may not read the tie-breaker key nor subscribe to the multiplexer's configuration
            // channel; neither is needed with one server, and a refused command would fail the connection.
            configuration.TieBreaker = "";
            configuration.ConfigurationChannel = "";
        }

        configuration.AbortOnConnectFail = false;
        configuration.AsyncTimeout = (int)RedisCommandTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)RedisCommandTimeout.TotalMilliseconds;
        configuration.ClientName ??= $"skylark-{Node}";
        return configuration;
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"StateOptions.{name} must be positive; got {value}.");
        }
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"StateOptions.{name} must be positive; got {value}.");
        }
    }
}
