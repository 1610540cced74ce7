using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink.Propagation;

/// <summary>
/// Fetches waiting for bundles not written yet (<c>awaitWrite</c>) are bounded per sender (the CloudEvent
/// <c>source</c>) and overall, so one sender's flood cannot make another's look-ahead fail. Three real sinks, each on
/// its own redis-server.
/// </summary>
public sealed class AwaitingFairShareTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private const string Flooder = "/flood";

    private static CloudEvent Awaiting(string source, string workflowId, DateTimeOffset deadline)
    {
        var command = SinkCluster.Propagate(
            "edge-1",
            new
            {
                bundles = new[] { $"sat-1/{workflowId}/preprocess" },
                from = "sat-1",
                to = "edge-1",
                function = "detect",
                probability = 0.9,
                deadline,
                awaitWrite = true,
            },
            workflowId);
        command.Source = new Uri(source, UriKind.RelativeOrAbsolute);
        return command;
    }

    private static BundleWriteWatcher Watcher(SinkNode node) => node.Services.GetRequiredService<BundleWriteWatcher>();

    [Fact]
    public async Task A_flood_of_awaiting_commands_from_one_sender_does_not_make_another_senders_look_ahead_fail()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) =>
        {
            options.MaxAwaitingPulls = 4;
            options.MaxAwaitingPullsPerSender = 2;
        });
        var propagator = cluster.Edge.Services.GetRequiredService<BundlePropagator>();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);

        // More commands than the whole bound, from one sender, for outputs not written yet.
        var flood = Enumerable.Range(0, 6).Select(i => SinkCluster.SendAsync(cluster.Edge, Awaiting(Flooder, $"flood-{i}", deadline))).ToList();
        await Poll.UntilAsync(() => flood.Count(c => c.IsCompleted) == 4, "the flood beyond its sender's share was refused");
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 2, "the flood's share of fetches waits at the holder");
        Assert.Equal(2, propagator.AwaitingPullsOf(Flooder));
        foreach (var refused in flood.Where(c => c.IsCompleted))
        {
            var (_, data) = await refused;
            Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
            Assert.Contains($"the sender '{Flooder}' already has 2 fetch(es) waiting", data.Error, StringComparison.Ordinal);
            Assert.Contains("MaxAwaitingPullsPerSender", data.Error, StringComparison.Ordinal);
        }

        var lookAhead = SinkCluster.SendAsync(cluster.Edge, Awaiting(EventSources.Predictor.OriginalString, "wf-legit", deadline));
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 3, "the other sender's fetch waits at the holder too");
        var written = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf-legit/preprocess"), SinkCluster.Items("frame"));

        var (_, legit) = await lookAhead.WaitAsync(SinkCluster.Bound);
        Assert.Equal(PropagationOutcomes.Pulled, legit.Outcome);
        Assert.Equal(written.Version, (await cluster.Edge.Store.ReadAsync(StateRef.Parse("sat-1/wf-legit/preprocess")))!.Version);

        // The flood's own share still works: its waiting fetches end when their outputs are written.
        foreach (var i in Enumerable.Range(0, 6))
        {
            await cluster.SatA.Store.WriteAsync(StateRef.Parse($"sat-1/flood-{i}/preprocess"), SinkCluster.Items("flood"));
        }

        var outcomes = await Task.WhenAll(flood).WaitAsync(SinkCluster.Bound);
        Assert.Equal(2, outcomes.Count(o => o.Data.Outcome == PropagationOutcomes.Pulled));
        Assert.Equal(0, propagator.AwaitingPulls);
        Assert.Equal(0, propagator.AwaitingPullsOf(Flooder));
    }

    [Fact]
    public async Task Senders_together_stay_within_the_overall_bound()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) =>
        {
            options.MaxAwaitingPulls = 2;
            options.MaxAwaitingPullsPerSender = 1;
        });
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        var first = SinkCluster.SendAsync(cluster.Edge, Awaiting("/a", "wf-a", deadline));
        var second = SinkCluster.SendAsync(cluster.Edge, Awaiting("/b", "wf-b", deadline));
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 2, "both senders' fetches wait at the holder");

        var (_, refused) = await SinkCluster.SendAsync(cluster.Edge, Awaiting("/c", "wf-c", deadline)).WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Failed, refused.Outcome);
        Assert.Contains("2 fetches are already waiting for bundles to be written (StateSinkOptions.MaxAwaitingPulls)", refused.Error, StringComparison.Ordinal);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf-a/preprocess"), SinkCluster.Items("a"));
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf-b/preprocess"), SinkCluster.Items("b"));
        Assert.Equal(PropagationOutcomes.Pulled, (await first.WaitAsync(SinkCluster.Bound)).Data.Outcome);
        Assert.Equal(PropagationOutcomes.Pulled, (await second.WaitAsync(SinkCluster.Bound)).Data.Outcome);
    }
}
