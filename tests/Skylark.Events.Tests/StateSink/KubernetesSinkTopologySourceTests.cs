using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Tests.Topology;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.StateSink;

public sealed class KubernetesSinkTopologySourceTests
{
    [Fact]
    public async Task A_sink_on_a_cluster_reads_its_topology_from_the_refresher_without_calling_the_api_again()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        using var client = api.CreateClient();
        using var refresher = new KubernetesTopologyRefresher(new KubernetesTopologySource(client), TimeSpan.FromMinutes(1));
        ITopologySource source = new KubernetesSinkTopologySource(refresher);

        var before = await Assert.ThrowsAsync<TopologyValidationException>(() => source.LoadAsync(CancellationToken.None));
        await refresher.RefreshAsync(CancellationToken.None);
        var requests = api.Requests.Count;
        var topology = await source.LoadAsync(CancellationToken.None);
        var direct = (await api.LoadAsync()).Topology;

        Assert.Contains("no topology has loaded from the Kubernetes API", before.Message, StringComparison.Ordinal);
        Assert.True(direct.SameAs(topology));
        Assert.Equal(2, requests);
        Assert.Contains(api.Url.Authority, source.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sink_directory_names_each_node_with_a_ready_sink_pod_and_explains_a_node_without_one()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        using var client = api.CreateClient();
        using var refresher = new KubernetesTopologyRefresher(new KubernetesTopologySource(client), TimeSpan.FromMinutes(1));
        var directory = new KubernetesSinkDirectory(refresher);

        var before = Assert.Throws<KeyNotFoundException>(() => directory.SinkFor("sat-1", "cloud-1"));
        await refresher.RefreshAsync(CancellationToken.None);

        Assert.Contains("no topology has loaded", before.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri("http://10.244.1.12:8080/"), directory.SinkFor("sat-1", "cloud-1"));
        Assert.Equal(new Uri("http://10.244.2.7:9090/"), directory.SinkFor("sat-1", "edge-1.lab.example"));
        var missing = Assert.Throws<KeyNotFoundException>(() => directory.SinkFor("cloud-1", "sat-2"));
        Assert.Equal(
            $"The Kubernetes API {api.Url} lists no Running and Ready StateSink pod on node 'sat-2' (nodes with one: cloud-1, edge-1.lab.example).",
            missing.Message);
    }
}
