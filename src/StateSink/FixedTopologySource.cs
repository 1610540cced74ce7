using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>A topology that never changes while the sink runs (e.g. handed over by <c>skylark up</c>).</summary>
public sealed class FixedTopologySource(NetworkTopology topology) : ITopologySource
{
    private readonly NetworkTopology _topology = topology ?? throw new ArgumentNullException(nameof(topology));

    public string Description => $"fixed topology '{_topology.Name}'";

    public Task<NetworkTopology> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(_topology);
}
