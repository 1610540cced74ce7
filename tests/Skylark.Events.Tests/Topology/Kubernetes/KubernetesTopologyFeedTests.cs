using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public sealed class KubernetesTopologyFeedTests
{
    [Fact]
    public async Task A_kubeconfig_file_names_the_api_server_and_the_token_the_client_sends()
    {
        using var scratch = new ScratchDirectory();
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();

        var client = KubernetesTopologyFeed.ClientConfiguration(api.WriteKubeconfig(scratch.Path, token: "from-the-file"));
        using var refresher = KubernetesTopologyRefresher.Create(new KubernetesTopologyFeed(client));
        await refresher.RefreshAsync(CancellationToken.None);

        Assert.Equal(api.Url, new Uri(client.Host));
        Assert.All(api.Requests, r => Assert.Equal("Bearer from-the-file", r.Authorization));
    }

    [Fact]
    public void A_missing_or_unreadable_kubeconfig_is_refused_with_the_reason()
    {
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("garbage"), "clusters: [ this is not: a kubeconfig");
        File.WriteAllText(scratch.File("empty"), "apiVersion: v1\nkind: Config\n");

        var missing = Assert.Throws<KubernetesTopologyException>(() => KubernetesTopologyFeed.ClientConfiguration(scratch.File("nope")));
        var list = Assert.Throws<KubernetesTopologyException>(() => KubernetesTopologyFeed.ClientConfiguration($"{scratch.File("a")}{Path.PathSeparator}{scratch.File("b")}"));
        var garbage = Assert.Throws<KubernetesTopologyException>(() => KubernetesTopologyFeed.ClientConfiguration(scratch.File("garbage")));
        var empty = Assert.Throws<KubernetesTopologyException>(() => KubernetesTopologyFeed.ClientConfiguration(scratch.File("empty")));

        Assert.Equal("no such file", missing.Message);
        Assert.Equal("no such file; it looks like a list of files, as KUBECONFIG may hold, but this setting names one", list.Message);
        Assert.StartsWith("While parsing a flow sequence", garbage.Message, StringComparison.Ordinal);
        Assert.False(garbage.Message.EndsWith('.'));
        Assert.StartsWith("Cannot infer server host url", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_a_pod_without_a_kubeconfig_there_is_no_client()
    {
        if (k8s.KubernetesClientConfiguration.IsInCluster())
        {
            // Inside a pod the service account is the right answer; there is nothing to refuse.
            return;
        }

        var error = Assert.Throws<KubernetesTopologyException>(() => KubernetesTopologyFeed.ClientConfiguration(null));

        Assert.StartsWith("this process is not in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT unset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_refresh_interval_must_be_positive_and_the_options_valid()
    {
        var client = new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" };

        Assert.Throws<ArgumentOutOfRangeException>(() => new KubernetesTopologyFeed(client, refreshInterval: TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new KubernetesTopologyFeed(client, new KubernetesTopologyOptions { SinkNamespace = "Not_A_Namespace" }));
        Assert.Equal(KubernetesTopologyFeed.DefaultRefreshInterval, new KubernetesTopologyFeed(client).RefreshInterval);
    }
}
