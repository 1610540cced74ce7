using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.State;

/// <summary>Three real nodes, each with its own redis-server: the reader runs on edge-1 and pulls from sat-1/sat-2.</summary>
public sealed class TieredStateReaderTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _prefix = RedisServer.NewKeyPrefix();

    private sealed record Node(
        BundleStore Local,
        BundleStore SatA,
        BundleStore SatB,
        StoreBundlePuller Puller,
        InFlightPulls InFlight,
        StateReadMetrics Metrics,
        TieredStateReader Reader);

    private Node Build(Action<StateOptions>? configure = null, bool withPuller = true)
    {
        var options = nodes.Local.Options(_prefix);
        configure?.Invoke(options);
        var local = new BundleStore(nodes.Local.Redis, options);
        var satA = nodes.RemoteA.Store(_prefix);
        var satB = nodes.RemoteB.Store(_prefix);
        var puller = new StoreBundlePuller(satA, satB);
        var inFlight = new InFlightPulls(options.MaxInFlightPulls);
        var metrics = new StateReadMetrics();
        return new Node(local, satA, satB, puller, inFlight, metrics,
            new TieredStateReader(local, inFlight, metrics, withPuller ? puller : null, options));
    }

    private static BundleItems Items(string value) => BundleItems.CreateBuilder().Add("value", value).Build();

    [Fact]
    public async Task A_bundle_held_locally_is_read_locally_without_pulling()
    {
        var node = Build();
        var stateRef = StateRef.Parse("edge-1/wf/detect.background");
        await node.Local.WriteAsync(stateRef, Items("here"));

        var result = await node.Reader.ReadAsync(stateRef);

        Assert.Equal(StateReadSource.Local, result.Source);
        Assert.Equal("here", result.Bundle.Items.GetString("value"));
        Assert.Equal(0, node.Puller.Calls);
    }

    [Fact]
    public async Task A_propagated_copy_of_a_remote_bundle_is_read_locally()
    {
        var node = Build();
        var written = await node.SatA.WriteAsync(StateRef.Parse("sat-1/wf/detect.background"), Items("there"));
        await node.Local.PutCopyAsync(written);

        var result = await node.Reader.ReadAsync(written.StateRef);

        Assert.Equal(StateReadSource.Local, result.Source);
        Assert.Equal(0, node.Puller.Calls);
    }

    [Fact]
    public async Task A_remote_bundle_is_pulled_kept_with_its_version_and_read_locally_next_time()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await node.SatA.WriteAsync(stateRef, Items("v1"));
        await node.SatA.WriteAsync(stateRef, Items("v2"));

        var first = await node.Reader.ReadAsync(stateRef);
        var second = await node.Reader.ReadAsync(stateRef);

        Assert.Equal(StateReadSource.Remote, first.Source);
        Assert.Equal(2, first.Bundle.Version);
        Assert.Equal("v2", first.Bundle.Items.GetString("value"));
        Assert.Equal(StateReadSource.Local, second.Source);
        Assert.Equal(2, second.Bundle.Version);
        Assert.Equal(2, await node.Local.GetVersionAsync(stateRef));
        Assert.Equal(1, node.Puller.Calls);
        Assert.Equal(new StateReadMetricsSnapshot(Local: 1, Waited: 0, Remote: 1, NotFound: 0, Failed: 0), node.Metrics.Snapshot());
    }

    [Fact]
    public async Task A_reader_arriving_during_an_in_flight_pull_waits_for_it_instead_of_pulling_again()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await node.SatA.WriteAsync(stateRef, Items("there"));
        node.Puller.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = node.Reader.ReadAsync(stateRef);
        await node.Puller.PullStarted.Task.WaitAsync(Bound);
        var second = node.Reader.ReadAsync(stateRef);
        await Poll.UntilAsync(() => node.InFlight.Joins == 1, "the second reader joined the pull");
        node.Puller.Gate.SetResult();

        Assert.Equal(StateReadSource.Remote, (await first).Source);
        Assert.Equal(StateReadSource.Waited, (await second).Source);
        Assert.Equal("there", (await second).Bundle.Items.GetString("value"));
        Assert.Equal(1, node.Puller.Calls);
        Assert.Equal(new StateReadMetricsSnapshot(Local: 0, Waited: 1, Remote: 1, NotFound: 0, Failed: 0), node.Metrics.Snapshot());
    }

    [Fact]
    public async Task Many_concurrent_readers_of_a_remote_bundle_cause_exactly_one_pull()
    {
        const int Readers = 8;
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await node.SatA.WriteAsync(stateRef, Items("there"));
        node.Puller.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var reads = Enumerable.Range(0, Readers).Select(_ => Task.Run(() => node.Reader.ReadAsync(stateRef))).ToList();
        await node.Puller.PullStarted.Task.WaitAsync(Bound);
        await Poll.UntilAsync(() => node.InFlight.Joins == Readers - 1, "every other reader joined the pull");
        node.Puller.Gate.SetResult();
        var results = await Task.WhenAll(reads).WaitAsync(Bound);

        Assert.Equal(1, node.Puller.Calls);
        Assert.Single(results, r => r.Source == StateReadSource.Remote);
        Assert.Equal(Readers - 1, results.Count(r => r.Source == StateReadSource.Waited));
        Assert.All(results, r => Assert.Equal("there", r.Bundle.Items.GetString("value")));
        Assert.Equal(0, node.InFlight.Count);
    }

    [Fact]
    public async Task A_reader_waits_for_a_pull_the_state_sink_started_ahead_of_time()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        var source = await node.SatA.WriteAsync(stateRef, Items("propagated"));
        var propagationGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // What the StateSink does on io.skylark.state.propagate: pull through the shared registry and keep a copy.
        var propagation = node.InFlight.JoinOrStart(stateRef, async () =>
        {
            await propagationGate.Task;
            await node.Local.PutCopyAsync(source);
            return source;
        });
        var read = node.Reader.ReadAsync(stateRef);
        await Poll.UntilAsync(() => node.InFlight.Joins == 1, "the reader joined the propagation");
        propagationGate.SetResult();

        Assert.Equal(StateReadSource.Waited, (await read).Source);
        Assert.Same(source, await propagation.Task);
        Assert.Equal(0, node.Puller.Calls);
    }

    [Fact]
    public async Task When_the_pull_a_reader_waited_for_fails_the_reader_pulls_itself()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await node.SatA.WriteAsync(stateRef, Items("there"));
        var failingGate = new TaskCompletionSource<Bundle?>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.InFlight.JoinOrStart(stateRef, () => failingGate.Task);

        var read = node.Reader.ReadAsync(stateRef);
        await Poll.UntilAsync(() => node.InFlight.Joins == 1, "the reader joined the failing pull");
        failingGate.SetException(new HttpRequestException("connection reset"));

        var result = await read;
        Assert.Equal(StateReadSource.Remote, result.Source);
        Assert.Equal(1, node.Puller.Calls);
    }

    [Fact]
    public async Task A_bundle_no_node_holds_is_reported_as_not_found_with_its_state_ref()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");

        var error = await Assert.ThrowsAsync<StateNotFoundException>(() => node.Reader.ReadAsync(stateRef));

        Assert.Equal(stateRef, error.StateRef);
        Assert.Contains("sat-1/wf/detect.background", error.Message, StringComparison.Ordinal);
        Assert.Contains("node 'sat-1' does not hold it", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, node.Puller.Calls);
        Assert.Null(await node.Local.GetVersionAsync(stateRef));
        Assert.Equal(1, node.Metrics.Snapshot().NotFound);
    }

    [Fact]
    public async Task A_missing_bundle_of_this_node_is_not_found_without_pulling()
    {
        var node = Build();

        var error = await Assert.ThrowsAsync<StateNotFoundException>(() => node.Reader.ReadAsync(StateRef.Parse("edge-1/wf/b")));

        Assert.Contains("this node", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, node.Puller.Calls);
    }

    [Fact]
    public async Task A_pull_from_an_unreachable_node_is_reported_as_unavailable()
    {
        var node = Build();
        var stateRef = StateRef.Parse("sat-9/wf/b");

        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => node.Reader.ReadAsync(stateRef));

        Assert.Equal(stateRef, error.StateRef);
        Assert.Contains("No route to node 'sat-9'", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(1, node.Metrics.Snapshot().Failed);
        Assert.Equal(0, node.InFlight.Count);
    }

    [Fact]
    public async Task A_pull_that_does_not_finish_in_time_is_reported_as_unavailable()
    {
        var node = Build(o => o.PullTimeout = TimeSpan.FromMilliseconds(200));
        var stateRef = StateRef.Parse("sat-1/wf/b");
        await node.SatA.WriteAsync(stateRef, Items("slow"));
        node.Puller.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => node.Reader.ReadAsync(stateRef).WaitAsync(Bound));

        Assert.Contains("did not finish within", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, node.InFlight.Count);
    }

    [Fact]
    public async Task Reading_many_bundles_takes_one_local_round_trip_and_one_pull_per_remote_node()
    {
        var node = Build();
        var localA = await node.Local.WriteAsync(StateRef.Parse("edge-1/wf/preprocess.frame"), Items("L1"));
        var remote1 = await node.SatA.WriteAsync(StateRef.Parse("sat-1/wf/detect.background"), Items("A1"));
        var remote2 = await node.SatA.WriteAsync(StateRef.Parse("sat-1/wf/detect.boxes"), Items("A2"));
        var remote3 = await node.SatB.WriteAsync(StateRef.Parse("sat-2/wf/alarm.counts"), Items("B1"));
        var refs = new[] { remote1.StateRef, localA.StateRef, remote3.StateRef, remote2.StateRef, remote1.StateRef };
        await node.SatA.ReadManyAsync([remote1.StateRef]);
        var satABefore = await nodes.RemoteA.Server.CommandCallsAsync();

        var results = await node.Reader.ReadManyAsync(refs);

        var satAAfter = await nodes.RemoteA.Server.CommandCallsAsync();
        Assert.Equal(["A1", "L1", "B1", "A2", "A1"], results.Select(r => r.Bundle.Items.GetString("value")));
        Assert.Equal(
            [StateReadSource.Remote, StateReadSource.Local, StateReadSource.Remote, StateReadSource.Remote, StateReadSource.Remote],
            results.Select(r => r.Source));
        Assert.Equal(1, node.Puller.CallsTo("sat-1"));
        Assert.Equal(1, node.Puller.CallsTo("sat-2"));
        Assert.Equal(1, node.Puller.BatchCalls);
        Assert.Equal(1, satAAfter.GetValueOrDefault("exec") - satABefore.GetValueOrDefault("exec"));
        Assert.Equal(remote2.Version, await node.Local.GetVersionAsync(remote2.StateRef));
        Assert.Equal(new StateReadMetricsSnapshot(Local: 1, Waited: 0, Remote: 4, NotFound: 0, Failed: 0), node.Metrics.Snapshot());
    }

    [Fact]
    public async Task Reading_many_bundles_fails_naming_the_first_missing_one_but_keeps_the_copies_it_pulled()
    {
        var node = Build();
        var present = await node.SatA.WriteAsync(StateRef.Parse("sat-1/wf/detect.background"), Items("A1"));
        var missing = StateRef.Parse("sat-1/wf/detect.gone");

        var error = await Assert.ThrowsAsync<StateNotFoundException>(() => node.Reader.ReadManyAsync([present.StateRef, missing]));

        Assert.Equal(missing, error.StateRef);
        Assert.Equal(1, await node.Local.GetVersionAsync(present.StateRef));
        Assert.Equal(1, node.Metrics.Snapshot().NotFound);
    }

    [Fact]
    public async Task A_reader_without_a_puller_reads_only_local_bundles()
    {
        var node = Build(withPuller: false);
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await node.SatA.WriteAsync(stateRef, Items("there"));

        var error = await Assert.ThrowsAsync<StateNotFoundException>(() => node.Reader.ReadAsync(stateRef));

        Assert.Contains("no puller", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reader_refuses_a_function_scoped_store_because_it_keeps_copies_of_any_bundle()
    {
        var node = Build();

        var error = Assert.Throws<ArgumentException>(() => new TieredStateReader(
            node.Local.ForFunction("detect"), node.InFlight, node.Metrics, node.Puller, nodes.Local.Options(_prefix)));

        Assert.Contains("unrestricted", error.Message, StringComparison.Ordinal);
    }
}
