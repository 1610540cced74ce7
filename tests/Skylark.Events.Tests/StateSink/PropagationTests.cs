using System.Net;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.StateSink.Sync;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>io.skylark.state.propagate against three real sinks, each on its own redis-server.</summary>
public sealed class PropagationTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    [Fact]
    public async Task A_propagate_pulls_the_listed_bundles_into_the_target_nodes_redis_and_nowhere_else()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var fromA = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame", padding: 5000));
        var fromB = await cluster.SatB.Store.WriteAsync(StateRef.Parse("sat-2/wf/detect.background"), SinkCluster.Items("bg"));

        var (reply, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate(
            "edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess", "sat-2/wf/detect.background"), workflowId: "wf"));

        Assert.Equal(EventTypes.StatePropagated, reply.Type);
        Assert.Equal("/nodes/edge-1/statesink", reply.Source!.ToString());
        Assert.Equal("wf", reply[ExtensionNames.WorkflowId]);
        Assert.Equal("edge-1", reply[ExtensionNames.Node]);
        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.Null(data.Error);
        Assert.Equal(fromA.SizeBytes + fromB.SizeBytes, data.Bytes);
        Assert.Equal([fromA.StateRef, fromB.StateRef], data.Bundles);
        Assert.Equal(("sat-1", "edge-1"), (data.From, data.To));

        var copyA = await cluster.Edge.Store.ReadAsync(fromA.StateRef);
        var copyB = await cluster.Edge.Store.ReadAsync(fromB.StateRef);
        Assert.Equal((fromA.Version, "frame"), (copyA!.Version, copyA.Items.GetString("value")));
        Assert.Equal((fromB.Version, "bg"), (copyB!.Version, copyB.Items.GetString("value")));
        Assert.Null(await cluster.SatB.Store.GetVersionAsync(fromA.StateRef));
        Assert.Null(await cluster.SatA.Store.GetVersionAsync(fromB.StateRef));
        Assert.Equal(2, (await SinkCluster.ListAsync(cluster.Edge.Store)).Count);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(1, cluster.SatB.Counters.Peer.Served);
        Assert.Equal(1, cluster.Edge.Counters.Propagations.Pulled);
        Assert.Equal(2, cluster.Edge.Counters.Pulls.Bundles);
    }

    [Fact]
    public async Task A_propagate_of_a_bundle_the_target_already_holds_is_skipped_without_transferring_it()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var command = SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess");

        var (_, first) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));
        var (_, second) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));

        Assert.Equal(PropagationOutcomes.Pulled, first.Outcome);
        Assert.Equal(PropagationOutcomes.Skipped, second.Outcome);
        Assert.Equal(0, second.Bytes);
        Assert.Null(second.Error);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(1, cluster.SatA.Counters.Peer.NotModified);
    }

    [Fact]
    public async Task A_propagate_after_the_holder_wrote_a_newer_version_pulls_that_version()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("v1"));
        var command = SinkCluster.PropagateData("sat-1", "edge-1", stateRef.ToString());
        await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));

        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("v2"));
        var (_, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));

        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        var copy = await cluster.Edge.Store.ReadAsync(stateRef);
        Assert.Equal((2L, "v2"), (copy!.Version, copy.Items.GetString("value")));
    }

    [Fact]
    public async Task Two_propagates_of_the_same_bundle_at_once_cause_one_pull_from_the_holder()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var command = SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess");
        cluster.SatA.Gate.Close();

        var first = SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));
        await cluster.SatA.Gate.Arrived.Task.WaitAsync(SinkCluster.Bound);
        var second = SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", command));
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Joins == 1, "the second propagation joined the first one's pull");
        cluster.SatA.Gate.Open();

        Assert.Equal(PropagationOutcomes.Pulled, (await first).Data.Outcome);
        Assert.Equal(PropagationOutcomes.Pulled, (await second).Data.Outcome);
        Assert.Equal(0, (await second).Data.Bytes);
        Assert.Equal(1, cluster.SatA.Gate.Held);
        Assert.Equal(1, cluster.SatA.Counters.Peer.FetchRequests);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(0, cluster.Edge.InFlight.Count);
    }

    [Fact]
    public async Task A_function_reading_a_bundle_while_it_is_being_propagated_waits_for_that_pull()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/preprocess");
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("frame"));
        cluster.SatA.Gate.Close();

        var propagation = SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", stateRef.ToString())));
        await cluster.SatA.Gate.Arrived.Task.WaitAsync(SinkCluster.Bound);
        var reader = cluster.Edge.Services.GetRequiredService<IStateReader>();
        var read = reader.ReadAsync(stateRef);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Joins == 1, "the reader joined the propagation's pull");
        cluster.SatA.Gate.Open();

        var result = await read.WaitAsync(SinkCluster.Bound);
        Assert.Equal(StateReadSource.Waited, result.Source);
        Assert.Equal("frame", result.Bundle.Items.GetString("value"));
        Assert.Equal(PropagationOutcomes.Pulled, (await propagation).Data.Outcome);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(1, cluster.Edge.Services.GetRequiredService<StateReadMetrics>().Snapshot().Waited);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "malformed-ref", "data.bundles[1]: StateRef 'sat-1/wf' has 2 segment(s)" },
        { "dot-segment", "data.bundles[0]: StateRef 'sat-1/wf/.hidden': bundle segment '.hidden'" },
        { "unknown-from", "data.from names unknown node 'mars'" },
        { "unknown-holder", "data.bundles[0] 'mars/wf/preprocess' names unknown node 'mars'" },
        { "not-json", "data is not valid JSON" },
        { "not-an-object", "data must be a JSON object" },
        { "oversized", "data.bundles lists 65 bundles; at most 64 are accepted per command" },
        { "empty", "data.bundles lists no bundles" },
        { "other-target", "targetnode 'sat-2' is not this sink's node 'edge-1'" },
        { "no-target", "the event has no 'targetnode' extension" },
        { "other-to", "data.to 'sat-2' is not this sink's node 'edge-1'" },
        { "text-data", "data must be JSON (application/json), not 'text/plain'" },
        { "await-not-bool", "data.awaitWrite must be true or false, not String" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_propagate_fails_with_the_reason_changes_nothing_and_the_sink_keeps_serving(string problem, string expectedError)
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var command = problem switch
        {
            "malformed-ref" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess", "sat-1/wf")),
            "dot-segment" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/.hidden")),
            "unknown-from" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("mars", "edge-1", "sat-1/wf/preprocess")),
            "unknown-holder" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "mars/wf/preprocess")),
            "not-json" => SinkCluster.PropagateRaw("edge-1", "{\"bundles\": [\"sat-1/wf/preprocess\""u8.ToArray()),
            "not-an-object" => SinkCluster.PropagateRaw("edge-1", "[\"sat-1/wf/preprocess\"]"u8.ToArray()),
            "oversized" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData(
                "sat-1", "edge-1", [.. Enumerable.Range(0, 64).Select(i => $"sat-1/wf/b{i}"), "sat-1/wf/preprocess"])),
            "empty" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1")),
            "other-target" => SinkCluster.Propagate("sat-2", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess")),
            "no-target" => SinkCluster.PropagateRaw(null, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess")).Data as byte[] ?? []),
            "other-to" => SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "sat-2", "sat-1/wf/preprocess")),
            "text-data" => SinkCluster.PropagateRaw("edge-1", Encoding.UTF8.GetBytes("sat-1/wf/preprocess"), contentType: "text/plain"),
            "await-not-bool" => SinkCluster.Propagate("edge-1", new
            {
                bundles = new[] { "sat-1/wf/preprocess" },
                from = "sat-1",
                to = "edge-1",
                deadline = DateTimeOffset.UtcNow.AddMinutes(1),
                awaitWrite = "yes",
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var (reply, data) = await SinkCluster.SendAsync(cluster.Edge, command);

        Assert.Equal(EventTypes.StatePropagated, reply.Type);
        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains(expectedError, data.Error, StringComparison.Ordinal);
        Assert.Equal(0, data.Bytes);
        Assert.Empty(await SinkCluster.ListAsync(cluster.Edge.Store));
        Assert.Equal(0, cluster.SatA.Counters.Peer.FetchRequests);
        Assert.Equal(0, cluster.Edge.Services.GetRequiredService<WantedBundles>().Count);
        Assert.Equal(1, cluster.Edge.Counters.Propagations.Failed);

        var (_, afterwards) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess")));
        Assert.Equal(PropagationOutcomes.Pulled, afterwards.Outcome);
    }

    [Fact]
    public async Task A_propagate_too_large_to_read_fails_with_the_reason_and_the_sink_keeps_serving()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) => options.MaxRequestBodyBytes = 2048);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var huge = Enumerable.Range(0, 60).Select(i => $"sat-1/wf/{new string('b', 100)}{i}").ToArray();

        var (reply, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", huge), workflowId: "wf-9"));

        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains("at most 2048 bytes are accepted", data.Error, StringComparison.Ordinal);
        Assert.Equal("wf-9", reply[ExtensionNames.WorkflowId]);
        Assert.Empty(await SinkCluster.ListAsync(cluster.Edge.Store));
        var (_, afterwards) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess")));
        Assert.Equal(PropagationOutcomes.Pulled, afterwards.Outcome);
    }

    [Fact]
    public async Task A_bundle_its_holder_does_not_have_fails_with_the_reason_and_is_wanted_for_the_next_sync()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));

        var (_, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate(
            "edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess", "sat-1/wf/detect")));

        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Equal("1 of 2 bundle(s) could not be propagated: sat-1/wf/detect: node 'sat-1' does not hold it", data.Error);
        Assert.NotNull(await cluster.Edge.Store.GetVersionAsync(StateRef.Parse("sat-1/wf/preprocess")));
        var wanted = cluster.Edge.Services.GetRequiredService<WantedBundles>();
        Assert.Equal([StateRef.Parse("sat-1/wf/detect")], wanted.Current());
        Assert.Equal(1, cluster.SatA.Counters.Peer.FetchRequests);
    }

    [Fact]
    public async Task A_holder_that_cannot_be_reached_fails_the_propagation_with_the_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatB.StopAsync();

        var (_, data) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-2", "edge-1", "sat-2/wf/preprocess")));

        Assert.Equal(PropagationOutcomes.Failed, data.Outcome);
        Assert.Contains("the StateSink of node 'sat-2' could not be reached", data.Error, StringComparison.Ordinal);
        Assert.Equal(1, cluster.Edge.Counters.Pulls.Failures);
    }

    [Fact]
    public async Task A_propagate_whose_deadline_has_passed_fails_and_pulls_nothing()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var data = new
        {
            bundles = new[] { "sat-1/wf/preprocess" },
            from = "sat-1",
            to = "edge-1",
            function = "detect",
            probability = 0.5,
            deadline = DateTimeOffset.UtcNow.AddMinutes(-1),
        };

        var (_, reply) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", data));

        Assert.Equal(PropagationOutcomes.Failed, reply.Outcome);
        Assert.Contains("had passed when the command arrived", reply.Error, StringComparison.Ordinal);
        Assert.Empty(await SinkCluster.ListAsync(cluster.Edge.Store));
        Assert.Equal(0, cluster.SatA.Counters.Peer.FetchRequests);
    }

    [Fact]
    public async Task A_propagation_that_runs_out_of_time_fails_but_the_pull_still_completes_for_readers()
    {
        // The propagation timeout counts from the command's arrival, so the test does not depend on how fast it arrives.
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) => options.PropagationTimeout = TimeSpan.FromMilliseconds(300));
        var stateRef = StateRef.Parse("sat-1/wf/preprocess");
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("frame"));
        cluster.SatA.Gate.Close();
        var data = new { bundles = new[] { stateRef.ToString() }, from = "sat-1", to = "edge-1", deadline = DateTimeOffset.UtcNow.AddMinutes(5) };

        var (_, reply) = await SinkCluster.SendAsync(cluster.Edge, SinkCluster.Propagate("edge-1", data));
        cluster.SatA.Gate.Open();

        Assert.Equal(PropagationOutcomes.Failed, reply.Outcome);
        Assert.Contains("had not arrived by", reply.Error, StringComparison.Ordinal);
        await Poll.UntilAsync(() => cluster.Edge.InFlight.Count == 0, "the pull finished");
        Assert.Equal(1L, await cluster.Edge.Store.GetVersionAsync(stateRef));
    }

    [Fact]
    public async Task A_propagate_in_structured_mode_is_understood_too()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var command = SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess"));

        using var content = command.ToHttpContent(ContentMode.Structured, RawDataJsonEventFormatter.Instance);
        using var response = await cluster.Edge.Client.PostAsync("/", content);
        var reply = await response.ToCloudEventAsync(RawDataJsonEventFormatter.Instance);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"outcome\":\"pulled\"", Encoding.UTF8.GetString((byte[])reply.Data!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_that_are_not_cloud_events_or_of_another_type_are_refused_with_400_and_the_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var other = SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/x"));
        other.Type = EventTypes.CameraFrame;

        using var plain = await cluster.Edge.Client.PostAsync("/", new StringContent("hello"));
        using var otherContent = other.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var wrongType = await cluster.Edge.Client.PostAsync("/", otherContent);

        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("Not a CloudEvent", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains(EventTypes.CameraFrame, await wrongType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
