using System.Net;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public class KubernetesApiFailureTests
{
    [Theory]
    [InlineData(FakeKubernetesApi.NodesPath, 401, "status-401.json", "GET /api/v1/nodes?labelSelector=node-type with 401 Unauthorized: Unauthorized (reason Unauthorized)")]
    [InlineData(FakeKubernetesApi.NodesPath, 500, "status-500.json", "GET /api/v1/nodes?labelSelector=node-type with 500 InternalServerError: etcdserver: request timed out (reason InternalError)")]
    [InlineData(FakeKubernetesApi.PodsPath, 403, "status-403.json", "GET /api/v1/namespaces/skylark/pods?labelSelector=app=statesink with 403 Forbidden: pods is forbidden: User \"system:serviceaccount:skylark:statesink\" cannot list resource \"pods\"")]
    public async Task An_error_status_from_the_api_server_is_a_clear_exception_with_its_status_and_message(string path, int status, string recorded, string expected)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        api.Answer(path, status, Recorded.Text(recorded));

        var error = await Assert.ThrowsAsync<KubernetesTopologyException>(() => api.LoadAsync());

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.StartsWith($"the Kubernetes API at {api.Url} answered ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r.Path == path);
    }

    [Fact]
    public async Task An_error_page_that_is_not_a_kubernetes_status_is_quoted()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Answer(FakeKubernetesApi.NodesPath, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");

        var error = await Assert.ThrowsAsync<KubernetesTopologyException>(() => api.LoadAsync());

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.EndsWith("with 502 BadGateway: <html><body><h1>502 Bad Gateway</h1></body></html>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<html>not json</html>")]
    [InlineData("""{"kind":"NodeList","apiVersion":"v1","metadata":{}}""")]
    public async Task A_success_answer_that_is_not_a_list_is_a_clear_exception(string body)
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Answer(FakeKubernetesApi.NodesPath, 200, body);

        var error = await Assert.ThrowsAsync<KubernetesTopologyException>(() => api.LoadAsync());

        Assert.StartsWith($"the Kubernetes API at {api.Url} answered GET /api/v1/nodes?labelSelector=node-type with", error.Message, StringComparison.Ordinal);
        Assert.Contains("list", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task An_api_server_that_never_answers_fails_the_load_after_the_timeout()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ServeRecordedCluster();
        api.Stall(FakeKubernetesApi.PodsPath);

        var error = await Assert.ThrowsAsync<KubernetesTopologyException>(
            () => api.LoadAsync(new KubernetesTopologyOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal($"the Kubernetes API at {api.Url} did not answer within 0.3 s.", error.Message);
        Assert.Contains(api.Requests, r => r.Path == FakeKubernetesApi.PodsPath);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_failure()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Stall(FakeKubernetesApi.NodesPath);
        using var client = api.CreateClient();
        using var source = new KubernetesTopologySource(client);
        using var cancel = new CancellationTokenSource();

        var load = source.LoadAsync(cancel.Token);
        await api.RequestArrived(FakeKubernetesApi.NodesPath).WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => load.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_unreachable_api_server_is_a_clear_exception()
    {
        var api = await FakeKubernetesApi.StartAsync();
        var url = api.Url;
        await api.DisposeAsync();
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = url.ToString() });
        using var source = new KubernetesTopologySource(client);

        var error = await Assert.ThrowsAsync<KubernetesTopologyException>(() => source.LoadAsync().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.StartsWith($"could not reach the Kubernetes API at {url} for GET /api/v1/nodes?labelSelector=node-type: ", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
    }
}
