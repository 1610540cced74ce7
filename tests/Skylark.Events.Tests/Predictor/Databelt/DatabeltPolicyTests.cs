using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Databelt;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Tests.Predictor.Support;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor.Databelt;

/// <summary>
/// The Databelt policy (docs/databelt.md) on the Databelt testbed: a chain of seven satellites, pi5u2 holding the
/// ground link to the cloud pi5u1 in the first minute (snapshot t0). Every satellite hosts preprocess and detect; the
/// cloud hosts alarm.
/// </summary>
public class DatabeltPolicyTests
{
    /// <summary>Within snapshot t0: pi5u3 → pi5u2 is 10 ms at 90 Mbit/s, pi5u2 → pi5u1 (the ground link) 50 ms at 30 Mbit/s.</summary>
    private static readonly DateTimeOffset T0 = TraceGenerator.Epoch.AddSeconds(5);

    /// <summary>An objective the ground link meets (Databelt's experiments set 100 ms and up), with no bandwidth floor.</summary>
    private static readonly SloSettings ReachesTheCloud = new(100, 0);

    private static DatabeltPolicy Testbed(Action<PredictorOptions>? configure = null) =>
        Replay.CreateDatabeltPolicy(TraceFiles.ShippedEventing, TraceFiles.DatabeltTestbed, configure);

    private static Completion Read(TraceWriter writer) => CompletionReader.Read(writer.Events[^1], TraceGenerator.Epoch);

    private static Completion Preprocess(string workflow, string node, DateTimeOffset time, long frameBytes = 70_000)
    {
        var writer = new TraceWriter();
        var frame = new StateRef(node, workflow, "preprocess.frame");
        writer.Completion("preprocess", workflow, node, "cam-a", time, frame, [], [new(frame, frameBytes)], 9, null, []);
        return Read(writer);
    }

    /// <summary>detect's reply: it wrote the camera's background model (a stream bundle) and this workflow's result.</summary>
    private static Completion Detect(string workflow, string node, DateTimeOffset time, long resultBytes = 300, string detected = "true")
    {
        var writer = new TraceWriter();
        var result = new StateRef(node, workflow, "detect.result");
        var background = new StateRef(node, "camera-cam-a", "detect.background");
        writer.Completion(
            "detect", workflow, node, "cam-a", time, result,
            [new(new StateRef(node, workflow, "preprocess.frame"), "local", 70_000)],
            [new(background, 384_024), new(result, resultBytes)],
            20, null, [], ("detected", detected));
        return Read(writer);
    }

    private static Completion Alarm(string workflow, string node, DateTimeOffset time)
    {
        var writer = new TraceWriter();
        var result = new StateRef(node, workflow, "alarm.result");
        writer.Completion("alarm", workflow, node, "cam-a", time, result, [], [new(result, 120)], 3, null, []);
        return Read(writer);
    }

    [Fact]
    public void At_completion_the_output_is_sent_to_the_node_elected_toward_the_next_functions_node()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);

        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0));

        // alarm runs in the cloud; 60 ms + 300 B at 30 Mbit/s fits 100 ms, so the result goes all the way, now.
        var command = Assert.Single(decision.Commands);
        Assert.Equal("detect-wf-1:alarm:pi5u3:pi5u1", command.Id);
        Assert.Equal(("wf-1", "pi5u3", "pi5u1", "alarm"), (command.WorkflowId, command.Data.From, command.TargetNode, command.Data.Function));
        Assert.Equal(["pi5u3/wf-1/detect.result"], command.Data.Bundles.Select(b => b.ToString()));
        Assert.Equal(300, command.Bytes);
        Assert.Equal(DatabeltPolicy.CommandProbability, command.Data.Probability);
        Assert.Equal(T0 + new PredictorOptions().PropagationDeadline, command.Data.Deadline);
        Assert.False(command.Data.AwaitWrite);
        Assert.Empty(decision.LookAheadCommands);
        Assert.Equal(("alarm", "pi5u1", NodeSource.Static, ElectionOutcome.Elected), Successor(decision));
    }

    [Fact]
    public void The_election_walks_back_from_the_next_functions_node_and_stops_at_the_farthest_node_that_meets_the_objective()
    {
        // Databelt's own objective, 25 ms and 60 Mbit/s: the cloud (60 ms away, behind a 30 Mbit/s link) misses it,
        // pi5u2 one hop along (10 ms at 90 Mbit/s) meets it.
        var policy = Testbed();

        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0));

        Assert.Equal(["pi5u2"], decision.Commands.Select(c => c.TargetNode));
        Assert.Equal(("alarm", "pi5u1", NodeSource.Static, ElectionOutcome.Elected), Successor(decision));
    }

    [Fact]
    public void The_next_node_comes_from_the_topologys_placement_and_nothing_is_learned_from_where_functions_ran()
    {
        // detect is deployed on sat-1 (10 ms from the edge) and sat-2 (15 ms); the static choice is the nearer one.
        var policy = Replay.CreateDatabeltPolicy(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        var targets = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var workflow = $"wf-{i}";
            var time = TraceGenerator.Epoch.AddSeconds(i);
            var preprocess = policy.Observe(Preprocess(workflow, "edge", time));
            targets.AddRange(preprocess.Commands.Select(c => c.TargetNode));
            Assert.Equal(("detect", "sat-1", NodeSource.Static, ElectionOutcome.Elected), Successor(preprocess));

            // ... but detect keeps running on sat-2.
            policy.Observe(Detect(workflow, "sat-2", time.AddMilliseconds(40), detected: "false"));
        }

        Assert.Equal(Enumerable.Repeat("sat-1", 5), targets);
        var metrics = policy.Metrics.Snapshot();
        Assert.Equal((5L, 0L), (metrics.NodeChecked, metrics.NodeCorrect));
        Assert.Equal((0L, 0L), (metrics.NextFunctionChecked, metrics.LookAheadCommands));
    }

    [Fact]
    public void Nothing_is_sent_when_the_next_function_runs_where_the_output_already_is()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);

        // Every satellite hosts detect, so preprocess's output on pi5u3 is read by detect on pi5u3.
        var decision = policy.Observe(Preprocess("wf-1", "pi5u3", T0));

        Assert.Empty(decision.Commands);
        Assert.Equal(("detect", "pi5u3", NodeSource.Static, ElectionOutcome.AtHolder), Successor(decision));
    }

    [Fact]
    public void The_state_stays_where_it_is_when_no_node_on_the_path_meets_the_objective()
    {
        var policy = Testbed();

        // 5 MB from pi5u3 needs 444 ms even to pi5u2; from pi5u2 the only way on is the 30 Mbit/s ground link,
        // narrower than the 60 Mbit/s minimum.
        var large = policy.Observe(Detect("wf-1", "pi5u3", T0, resultBytes: 5_000_000));
        var grounded = policy.Observe(Detect("wf-2", "pi5u2", T0));

        Assert.Empty(large.Commands);
        Assert.Empty(grounded.Commands);
        Assert.Equal(ElectionOutcome.NothingFits, Successor(large).Election);
        Assert.Equal(ElectionOutcome.NothingFits, Successor(grounded).Election);
    }

    [Fact]
    public void The_workflows_states_written_on_the_same_node_leave_together_in_one_command()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);
        policy.Observe(Preprocess("wf-1", "pi5u3", T0));
        policy.Observe(Preprocess("wf-2", "pi5u3", T0));

        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0.AddMilliseconds(40)));

        // preprocess's and detect's states of wf-1, both on pi5u3, in one command (one fused fetch at the target);
        // not wf-2's frame, and not the camera's background model, which belongs to the camera's stream, not to wf-1.
        var command = Assert.Single(decision.Commands);
        Assert.Equal(["pi5u3/wf-1/detect.result", "pi5u3/wf-1/preprocess.frame"], command.Data.Bundles.Select(b => b.ToString()));
        Assert.Equal(70_300, command.Bytes);
        Assert.Equal("pi5u1", command.TargetNode);
    }

    [Fact]
    public void Without_fusion_only_the_output_leaves()
    {
        var policy = Testbed(o =>
        {
            o.Slo = ReachesTheCloud;
            o.Databelt.Fuse = false;
        });
        policy.Observe(Preprocess("wf-1", "pi5u3", T0));

        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0.AddMilliseconds(40)));

        Assert.Equal(["pi5u3/wf-1/detect.result"], Assert.Single(decision.Commands).Data.Bundles.Select(b => b.ToString()));
    }

    [Fact]
    public void Only_states_written_on_the_outputs_node_are_fused()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);
        policy.Observe(Preprocess("wf-1", "pi5u4", T0));

        // detect ran elsewhere (pi5u3) than preprocess: the frame on pi5u4 is not co-located with the result.
        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0.AddMilliseconds(40)));

        Assert.Equal(["pi5u3/wf-1/detect.result"], Assert.Single(decision.Commands).Data.Bundles.Select(b => b.ToString()));
    }

    [Fact]
    public void Successors_elected_to_the_same_node_share_one_command()
    {
        // classify on sat-1 with label fire: archive, notify and audit all follow, all hosted in the cloud.
        var policy = Replay.CreateDatabeltPolicy(TraceFiles.BranchingTriggers, TraceFiles.BranchingTopology, o => o.Slo = ReachesTheCloud);
        var writer = new TraceWriter();
        var output = new StateRef("sat-1", "wf-1", "classify.out");
        writer.Completion("classify", "wf-1", "sat-1", "cam-a", TraceGenerator.Epoch, output, [], [new(output, 2_000)], 4, null, [], ("label", "fire"));

        var decision = policy.Observe(Read(writer));

        Assert.Equal(["archive", "notify", "audit"], decision.Successors.Select(s => s.Function));
        Assert.All(decision.Successors, s => Assert.Equal(("cloud", ElectionOutcome.Elected), (s.ExpectedNode!, s.Election!.Value)));
        var command = Assert.Single(decision.Commands);
        Assert.Equal(("cloud", "archive", "wf-1"), (command.TargetNode, command.Data.Function, command.WorkflowId));
        Assert.Equal([output], command.Data.Bundles);
    }

    [Fact]
    public void Workflow_starts_and_completions_no_Trigger_follows_move_nothing()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);
        var frame = new CloudEvent
        {
            Id = "frame-wf-1",
            Type = EventTypes.CameraFrame,
            Source = EventSources.Camera("cam-a"),
            Time = T0,
        };
        frame[ExtensionNames.WorkflowId] = "wf-1";
        frame[ExtensionNames.Camera] = "cam-a";
        frame[ExtensionNames.StateKey] = "pi5u4/wf-1/camera.frame";
        frame[ExtensionNames.StateNode] = "pi5u4";

        // The frame is where preprocess runs (the bridge put it there); Databelt moves nothing before a completion.
        var start = policy.Observe(CompletionReader.Read(frame, T0));
        var nothingDetected = policy.Observe(Detect("wf-2", "pi5u3", T0, detected: "false"));

        Assert.True(start.Completion.IsStart);
        Assert.Equal((0, 0), (start.Successors.Count, start.Commands.Count));
        Assert.Equal((0, 0), (nothingDetected.Successors.Count, nothingDetected.Commands.Count));
        Assert.Equal((2L, 0L), (policy.Metrics.Snapshot().Completions, policy.Metrics.Snapshot().PropagateCommands));
    }

    [Fact]
    public void The_time_the_function_already_spent_is_not_counted_against_the_objective()
    {
        var policy = Testbed();
        var detect = Detect("wf-1", "pi5u3", T0);
        var slow = new Completion(
            detect.Event, detect.Function, detect.WorkflowId, detect.Node, detect.Time, detect.StateKey, detect.Holder,
            detect.Camera, detect.OutputBytes, detect.Reads, detect.Writes, elapsedMs: 40);

        // 40 ms already exceed the 25 ms objective; Databelt's final election ignores it and still elects pi5u2.
        Assert.Equal(["pi5u2"], policy.Observe(slow).Commands.Select(c => c.TargetNode));
    }

    [Fact]
    public void A_fixed_destination_draws_every_output_toward_it_as_Databelts_experiments_did()
    {
        var policy = Testbed(o => o.Databelt.Destination = "pi5u1");

        // detect would run beside the frame, on pi5u3, but the election heads for the cloud: pi5u2 is as far as
        // 25 ms reach. The expected node (scored later) is still detect's own.
        var decision = policy.Observe(Preprocess("wf-1", "pi5u3", T0, frameBytes: 50_000));

        Assert.Equal([("pi5u2", "detect")], decision.Commands.Select(c => (c.TargetNode, c.Data.Function)));
        Assert.Equal(("detect", "pi5u3", NodeSource.Static, ElectionOutcome.Elected), Successor(decision));
        Assert.Throws<ArgumentException>(() => Testbed(o => o.Databelt.Destination = "mars"));
    }

    [Fact]
    public void Where_successors_actually_ran_is_scored_against_the_static_placement()
    {
        var policy = Testbed(o => o.Slo = ReachesTheCloud);
        policy.Observe(Preprocess("wf-1", "pi5u3", T0));
        policy.Observe(Detect("wf-1", "pi5u3", T0.AddMilliseconds(40)));
        policy.Observe(Alarm("wf-1", "pi5u1", T0.AddMilliseconds(120)));
        policy.Observe(Preprocess("wf-2", "pi5u3", T0.AddSeconds(1)));
        policy.Observe(Detect("wf-2", "pi5u5-not-expected", T0.AddSeconds(1.04), detected: "false"));

        var metrics = policy.Metrics.Snapshot();
        Assert.Equal((3L, 2L), (metrics.NodeChecked, metrics.NodeCorrect));
    }

    [Fact]
    public void Without_a_topology_nothing_is_placed_or_sent()
    {
        var policy = Replay.CreateDatabeltPolicy(TraceFiles.ShippedEventing, topology: null);

        var decision = policy.Observe(Detect("wf-1", "pi5u3", T0));

        Assert.Equal(("alarm", null, NodeSource.Unknown, null), Successor(decision));
        Assert.Empty(decision.Commands);
    }

    [Fact]
    public void Options_are_checked()
    {
        Assert.Contains("MaxBundlesPerCommand", Assert.Throws<ArgumentException>(() => new PredictorOptions { Databelt = { MaxBundlesPerCommand = 0 } }.Validate()).Message);
        Assert.Contains("Destination", Assert.Throws<ArgumentException>(() => new PredictorOptions { Databelt = { Destination = " " } }.Validate()).Message);
        Assert.Contains("Policy", Assert.Throws<ArgumentException>(() => new PredictorOptions { Policy = (PredictorPolicy)7 }.Validate()).Message);
    }

    private static (string Function, string? Node, NodeSource Source, ElectionOutcome? Election) Successor(PredictionDecision decision)
    {
        var successor = Assert.Single(decision.Successors);
        return (successor.Function, successor.ExpectedNode, successor.NodeSource, successor.Election);
    }
}
