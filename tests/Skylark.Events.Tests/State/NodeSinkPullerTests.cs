using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.StateSink;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.State;

/// <summary>A function apart from its node's StateSink reads other nodes' state through that sink.</summary>
public sealed class NodeSinkPullerTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    [Fact]
    public async Task A_bundle_on_another_node_is_pulled_by_the_node_sink_into_the_node_redis_and_read_from_there()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/frame"), SinkCluster.Items("pixels", padding: 4096));
        using var http = new HttpClient();
        var puller = new NodeSinkPuller(http, cluster.Edge.BaseAddress, cluster.Edge.Store, TimeSpan.FromSeconds(10));
        using var metrics = new StateReadMetrics();
        var reader = new TieredStateReader(cluster.Edge.Store, new InFlightPulls(), metrics, puller, new StateOptions { Node = cluster.Edge.Name });

        var read = await reader.ReadAsync(StateRef.Parse("sat-1/wf/frame"));

        Assert.Equal(StateReadSource.Remote, read.Source);
        Assert.Equal("pixels", read.Bundle.Items.GetString("value"));
        Assert.NotNull(await cluster.Edge.Store.ReadAsync(new StateRef(cluster.Edge.Name, "wf", "frame")));
        Assert.Equal(1, cluster.Edge.Counters.Propagations.Pulled);
    }

    [Fact]
    public async Task Reads_spanning_workflows_are_asked_for_within_each_commands_workflow_boundary()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        StateRef[] sources =
        [
            StateRef.Parse("sat-1/cam-7-12-ab/preprocess.frame"),
            StateRef.Parse("sat-1/camera-cam-7/detect.background"),
            StateRef.Parse("sat-1/cam-7-13-cd/preprocess.frame"),
        ];
        foreach (var source in sources)
        {
            await cluster.SatA.Store.WriteAsync(source, SinkCluster.Items(source.WorkflowId));
        }

        using var http = new HttpClient();
        var puller = new NodeSinkPuller(http, cluster.Edge.BaseAddress, cluster.Edge.Store, TimeSpan.FromSeconds(10));

        var bundles = await puller.PullManyAsync("sat-1", sources, CancellationToken.None);

        Assert.Equal(sources.Select(s => s.WorkflowId), bundles.Select(b => b!.Items.GetString("value")));

        // The frame travels with its camera's stream; the other frame's workflow needs a command of its own.
        Assert.Equal(2, cluster.Edge.Counters.Propagations.Pulled);
        Assert.Equal(0, cluster.Edge.Counters.Propagations.Failed);
    }

    [Fact]
    public async Task A_bundle_the_sink_cannot_get_is_unavailable_with_the_sinks_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        using var http = new HttpClient();
        var puller = new NodeSinkPuller(http, cluster.Edge.BaseAddress, cluster.Edge.Store, TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => puller.PullAsync(StateRef.Parse("sat-1/wf/missing"), CancellationToken.None));

        Assert.EndsWith($"the StateSink of node '{cluster.Edge.Name}' could not pull it from node 'sat-1': 1 of 1 bundle(s) could not be propagated: sat-1/wf/missing: node 'sat-1' does not hold it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_sink_makes_the_read_unavailable_not_missing()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        using var http = new HttpClient();
        var puller = new NodeSinkPuller(http, TestEvents.UnreachableUrl(), cluster.Edge.Store, TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => puller.PullAsync(StateRef.Parse("sat-1/wf/frame"), CancellationToken.None));

        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
    }
}
