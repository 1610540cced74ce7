using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// Three nodes, each with its own real redis-server and one shared multiplexer, as in a deployment:
/// <see cref="Local"/> (where the reading function runs) and two remote nodes. For <c>IClassFixture</c>.
/// </summary>
public sealed class RedisNodes : IAsyncLifetime
{
    private readonly List<RedisNode> _nodes = [];

    public RedisNode Local => _nodes[0];

    public RedisNode RemoteA => _nodes[1];

    public RedisNode RemoteB => _nodes[2];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "edge-1", "sat-1", "sat-2" })
        {
            var server = await RedisServer.StartAsync();
            _nodes.Add(new RedisNode(name, server, await server.ConnectAsync()));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Redis.DisposeAsync();
            await node.Server.DisposeAsync();
        }
    }
}

public sealed record RedisNode(string Name, RedisServer Server, ConnectionMultiplexer Redis)
{
    /// <summary>Options for this node under <paramref name="keyPrefix"/>, so tests sharing the servers stay apart.</summary>
    public StateOptions Options(string keyPrefix) => Server.StateOptions(Name, keyPrefix);

    public BundleStore Store(string keyPrefix, Action<StateOptions>? configure = null)
    {
        var options = Options(keyPrefix);
        configure?.Invoke(options);
        return new BundleStore(Redis, options);
    }
}
