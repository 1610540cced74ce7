using Skylark.Events.StateSink;
using Skylark.Events.Tests.Topology;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.StateSink;

public sealed class KubernetesSinkTopologySourceTests
{
    [Fact]
    public async Task A_sink_on_a_cluster_reads_its_topology_from_the_kubernetes_api()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        using var client = api.CreateClient();
        using var kubernetes = new KubernetesTopologySource(client);
        ITopologySource source = new KubernetesSinkTopologySource(kubernetes);

        var topology = await source.LoadAsync(CancellationToken.None);
        var direct = (await api.LoadAsync()).Topology;

        Assert.Equal(direct.Nodes.Select(n => (n.Name, n.Type)), topology.Nodes.Select(n => (n.Name, n.Type)));
        Assert.Equal(direct.Links.Count, topology.Links.Count);
        Assert.Contains(api.Url.Authority, source.Description, StringComparison.Ordinal);
    }
}
