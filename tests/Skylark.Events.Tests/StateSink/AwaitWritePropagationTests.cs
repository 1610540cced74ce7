using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// io.skylark.state.propagate with <c>awaitWrite</c>: sent one step early, for the output of a function still running on
/// the holder. Three real sinks, each on its own redis-server.
/// </summary>
public sealed class AwaitWritePropagationTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static object AwaitData(string from, DateTimeOffset deadline, params string[] bundles) => new
    {
        bundles,
        from,
        to = "edge-1",
        function = "detect",
        probability = 0.9,
        deadline,
        awaitWrite = true,
    };

    private static Task<(CloudNative.CloudEvents.CloudEvent Reply, StatePropagated Data)> SendAwaiting(SinkCluster cluster, string from, DateTimeOffset deadline, params string[] bundles) =>
        SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", AwaitData(from, deadline, bundles)));

    private static BundleWriteWatcher Watcher(SinkNode node) => node.Services.GetRequiredService<BundleWriteWatcher>();

    [Fact]
    public async Task A_reader_on_the_target_waits_for_an_awaiting_propagation_and_gets_the_bytes_once_the_producer_writes()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/preprocess");

        var propagation = SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddMinutes(1), stateRef.ToString());
        await Poll.UntilAsync(() => cluster.Edge.InFlight.IsAwaitingWrite(stateRef), "the target registered the awaiting pull");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the holder holds the fetch open");
        var read = cluster.Edge.Services.GetRequiredService<IStateReader>().ReadAsync(stateRef);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Joins == 1, "the reader joined the awaiting pull");
        Assert.False(read.IsCompleted);

        var written = await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("frame", padding: 4000));

        var result = await read.WaitAsync(SinkCluster.Bound);
        Assert.Equal(StateReadSource.Waited, result.Source);
        Assert.Equal((written.Version, "frame", written.SizeBytes), (result.Bundle.Version, result.Bundle.Items.GetString("value"), result.Bundle.SizeBytes));
        var (_, data) = await propagation.WaitAsync(SinkCluster.Bound);
        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.Null(data.Error);
        Assert.Equal(written.SizeBytes, data.Bytes);
        Assert.Equal(1, cluster.SatA.Counters.Peer.FetchRequests);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(written.Version, (await cluster.Edge.Store.ReadAsync(stateRef))!.Version);
        Assert.Equal(0, cluster.Edge.InFlight.Count);
    }

    [Fact]
    public async Task An_awaiting_pull_at_the_wrong_node_does_not_capture_a_reader_naming_the_real_producer()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var predicted = StateRef.Parse("sat-2/wf/preprocess");
        var real = StateRef.Parse("sat-1/wf/preprocess");

        var propagation = SendAwaiting(cluster, "sat-2", DateTimeOffset.UtcNow.AddSeconds(2), predicted.ToString());
        await Poll.UntilAsync(() => cluster.Edge.InFlight.IsAwaitingWrite(predicted), "the target registered the awaiting pull");
        await Poll.UntilAsync(() => Watcher(cluster.SatB).Count == 1, "the wrongly predicted holder holds the fetch open");
        await cluster.SatA.Store.WriteAsync(real, SinkCluster.Items("real output"));

        var result = await cluster.Edge.Services.GetRequiredService<IStateReader>().ReadAsync(real).WaitAsync(SinkCluster.Bound);

        Assert.Equal(StateReadSource.Remote, result.Source);
        Assert.Equal("real output", result.Bundle.Items.GetString("value"));
        Assert.Equal(0, cluster.Edge.InFlight.Joins);

        // The mispredicted propagation ends at its deadline, failed, with the reason.
        var (_, data) = await propagation.WaitAsync(SinkCluster.Bound);
        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains("sat-2/wf/preprocess", data.Error, StringComparison.Ordinal);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Count == 0, "the awaiting pull ended");
        Assert.Equal("real output", (await cluster.Edge.Store.ReadAsync(real))!.Items.GetString("value"));

        // A guess that missed is not state anyone needs: the periodic sync does not retry it.
        Assert.False(cluster.Edge.Services.GetRequiredService<Skylark.Events.StateSink.Sync.WantedBundles>().Contains(predicted));
    }

    [Fact]
    public async Task Waiting_fetches_beyond_the_transfer_slots_do_not_block_a_normal_propagation()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (name, options) => options.MaxConcurrentPulls = 1);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        var first = SendAwaiting(cluster, "sat-1", deadline, "sat-1/wf/a");
        var second = SendAwaiting(cluster, "sat-1", deadline, "sat-1/wf/b");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 2, "both awaiting fetches wait at the holder");
        Assert.Equal(2, cluster.Edge.Services.GetRequiredService<BundlePropagator>().AwaitingPulls);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/ready"), SinkCluster.Items("ready"));

        var (_, normal) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/ready")))
            .WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Pulled, normal.Outcome);
        Assert.False(first.IsCompleted || second.IsCompleted);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/a"), SinkCluster.Items("a"));
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/b"), SinkCluster.Items("b"));
        Assert.Equal(PropagationOutcomes.Pulled, (await first.WaitAsync(SinkCluster.Bound)).Data.Outcome);
        Assert.Equal(PropagationOutcomes.Pulled, (await second.WaitAsync(SinkCluster.Bound)).Data.Outcome);
        Assert.Equal("b", (await cluster.Edge.Store.ReadAsync(StateRef.Parse("sat-1/wf/b")))!.Items.GetString("value"));
        Assert.Equal(0, cluster.Edge.Services.GetRequiredService<BundlePropagator>().AwaitingPulls);
    }

    [Fact]
    public async Task Awaiting_propagations_beyond_the_bound_fail_at_once_with_the_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (name, options) => options.MaxAwaitingPulls = 1);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        var first = SendAwaiting(cluster, "sat-1", deadline, "sat-1/wf/a");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the first awaiting fetch waits at the holder");

        var (_, refused) = await SendAwaiting(cluster, "sat-1", deadline, "sat-1/wf/b").WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Failed, refused.Outcome);
        Assert.Contains("MaxAwaitingPulls", refused.Error, StringComparison.Ordinal);
        Assert.False(cluster.Edge.InFlight.IsInFlight(StateRef.Parse("sat-1/wf/b")));
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/a"), SinkCluster.Items("a"));
        Assert.Equal(PropagationOutcomes.Pulled, (await first.WaitAsync(SinkCluster.Bound)).Data.Outcome);
    }

    [Fact]
    public async Task An_awaited_bundle_never_written_fails_at_the_deadline_with_the_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);

        var (reply, data) = await SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddSeconds(1), "sat-1/wf/never").WaitAsync(SinkCluster.Bound);

        Assert.Equal(EventTypes.StatePropagated, reply.Type);
        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains("sat-1/wf/never", data.Error, StringComparison.Ordinal);
        Assert.Equal(0, data.Bytes);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Count == 0, "the awaiting pull ended");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 0, "the holder stopped waiting");
        Assert.Null(await cluster.Edge.Store.GetVersionAsync(StateRef.Parse("sat-1/wf/never")));
    }

    [Fact]
    public async Task An_awaiting_propagate_of_a_bundle_written_already_pulls_it_at_once()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("early"));

        var (_, data) = await SendAwaiting(cluster, "sat-1", DateTimeOffset.UtcNow.AddMinutes(1), "sat-1/wf/preprocess").WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.Equal("early", (await cluster.Edge.Store.ReadAsync(StateRef.Parse("sat-1/wf/preprocess")))!.Items.GetString("value"));
    }
}
