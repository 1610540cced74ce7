using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Tests.Predictor.Support;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor;

/// <summary>
/// Looking one step ahead: when a function is invoked, the output it is about to write is propagated to where the
/// function after it runs, marked awaitWrite, so the transfer starts when the write ends instead of racing the
/// successor's own read after the completion has crossed the broker.
/// </summary>
public class NextHopPredictorLookAheadTests
{
    private readonly TraceWriter _history = new();
    private readonly List<CloudEvent> _events = [];

    /// <summary>camera.frame on edge → preprocess on edge → detect on sat-1 (detected) → alarm on cloud.</summary>
    private void Frame(int seq, Func<int, string>? preprocessOutput = null, bool detected = true)
    {
        var workflow = $"cam-a-{seq}";
        var time = TraceGenerator.Epoch + TimeSpan.FromSeconds(seq);
        _events.Add(Start(workflow, time));
        var frame = new StateRef("edge", workflow, preprocessOutput?.Invoke(seq) ?? "preprocess.frame");
        var result = new StateRef("sat-1", workflow, "detect.result");
        _history.Completion("preprocess", workflow, "edge", "cam-a", time.AddMilliseconds(10), frame, [], [new(frame, 70_000)], 5, null, []);
        _history.Completion(
            "detect", workflow, "sat-1", "cam-a", time.AddMilliseconds(60), result, [new(frame, "remote", 70_000)], [new(result, 300)], 30, null, [],
            ("detected", detected ? "true" : "false"));
        if (!detected)
        {
            return;
        }

        var alarm = new StateRef("cloud", workflow, "alarm.raised");
        _history.Completion("alarm", workflow, "cloud", "cam-a", time.AddMilliseconds(120), alarm, [new(result, "remote", 300)], [new(alarm, 100)], 3, null, []);
    }

    private static CloudEvent Start(string workflow, DateTimeOffset time)
    {
        var start = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"frame-{workflow}",
            Type = EventTypes.CameraFrame,
            Source = EventSources.Camera("cam-a"),
            Time = time,
        };
        start[ExtensionNames.WorkflowId] = workflow;
        start[ExtensionNames.Camera] = "cam-a";
        start[ExtensionNames.StateKey] = $"edge/{workflow}/camera.frame";
        start[ExtensionNames.StateNode] = "edge";
        return start;
    }

    private List<PredictionDecision> Learn(Skylark.Events.Predictor.Planning.NextHopPredictor predictor) =>
        [.. _events.Concat(_history.Events).OrderBy(e => e.Time).Select(e => predictor.Observe(CompletionReader.Read(e, TraceGenerator.Epoch)))];

    private static Skylark.Events.Predictor.Planning.NextHopPredictor NewPredictor() =>
        Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);

    [Fact]
    public void A_workflow_start_propagates_the_first_functions_future_output_to_where_the_second_runs()
    {
        Frame(0);
        Frame(1);
        var predictor = NewPredictor();
        Learn(predictor);

        var decision = predictor.Observe(CompletionReader.Read(Start("cam-a-2", TraceGenerator.Epoch.AddSeconds(2)), TraceGenerator.Epoch));

        // The frame is where preprocess runs, so it stays; preprocess's output is sent ahead to detect's node.
        var command = Assert.Single(decision.Commands);
        Assert.True(command.Data.AwaitWrite);
        Assert.Equal(("edge", "sat-1", "detect"), (command.Data.From, command.Data.To, command.Data.Function));
        Assert.Equal([StateRef.Parse("edge/cam-a-2/preprocess.frame")], command.Data.Bundles);
        Assert.Equal(70_000, command.Bytes);
    }

    [Fact]
    public void A_completion_propagates_its_output_to_the_successor_and_the_successors_future_output_one_step_further()
    {
        Frame(0);
        Frame(1);
        Frame(2);
        var predictor = NewPredictor();
        var decisions = Learn(predictor);

        var preprocessed = decisions.Last(d => d.Completion.Function == "preprocess");

        Assert.Equal(
            [("edge", "sat-1", "detect", "edge/cam-a-2/preprocess.frame", false), ("sat-1", "cloud", "alarm", "sat-1/cam-a-2/detect.result", true)],
            preprocessed.Commands.Select(c => (c.Data.From, c.Data.To, c.Data.Function, string.Join(",", c.Data.Bundles), c.Data.AwaitWrite)));

        // The awaited write cannot happen before detect has run: the deadline leaves it its usual time on top.
        var ahead = preprocessed.Commands.Single(c => c.Data.AwaitWrite);
        var plain = preprocessed.Commands.Single(c => !c.Data.AwaitWrite);
        Assert.True(ahead.Data.Deadline > plain.Data.Deadline);
        Assert.Equal(2, predictor.Metrics.Snapshot().LookAheadCommands - decisions.Take(decisions.Count - 4).Sum(d => d.Commands.Count(c => c.Data.AwaitWrite)));
    }

    [Fact]
    public void A_function_that_names_its_output_per_run_gets_nothing_sent_ahead()
    {
        Frame(0, seq => $"frame-{seq}");
        Frame(1, seq => $"frame-{seq}");
        Frame(2, seq => $"frame-{seq}");
        var predictor = NewPredictor();
        Learn(predictor);

        var decision = predictor.Observe(CompletionReader.Read(Start("cam-a-3", TraceGenerator.Epoch.AddSeconds(3)), TraceGenerator.Epoch));

        Assert.DoesNotContain(decision.Commands, c => c.Data.AwaitWrite);
    }

    [Fact]
    public void A_function_that_follows_only_a_few_runs_gets_nothing_sent_ahead()
    {
        // alarm's Trigger fires only for detections: one frame in four. When it fires alarm always follows, but
        // detect's result is worth sending ahead only if alarm follows most of detect's runs.
        for (var seq = 0; seq < 12; seq++)
        {
            Frame(seq, detected: seq % 4 == 0);
        }

        var predictor = NewPredictor();
        var decisions = Learn(predictor);

        Assert.DoesNotContain(decisions.Skip(decisions.Count / 2).SelectMany(d => d.LookAheadCommands), c => c.Data.Function == "alarm");

        // detect itself follows every preprocess run, so preprocess's output still goes ahead to it.
        var decision = predictor.Observe(CompletionReader.Read(Start("cam-a-12", TraceGenerator.Epoch.AddSeconds(12)), TraceGenerator.Epoch));
        Assert.Equal(["detect"], decision.LookAheadCommands.Select(c => c.Data.Function));
    }

    [Fact]
    public void Before_the_output_name_has_repeated_nothing_is_sent_ahead()
    {
        Frame(0);
        var predictor = NewPredictor();
        var decisions = Learn(predictor);

        Assert.All(decisions, d => Assert.DoesNotContain(d.Commands, c => c.Data.AwaitWrite));
    }

    [Fact]
    public void The_output_names_survive_an_export_and_import_of_the_model()
    {
        Frame(0);
        Frame(1);
        var learned = NewPredictor();
        Learn(learned);
        var restored = NewPredictor();
        restored.ImportModel(learned.ExportModel());

        var decision = restored.Observe(CompletionReader.Read(Start("cam-a-2", TraceGenerator.Epoch.AddSeconds(2)), TraceGenerator.Epoch));

        Assert.Equal(["edge/cam-a-2/preprocess.frame"], decision.Commands.Where(c => c.Data.AwaitWrite).SelectMany(c => c.Data.Bundles).Select(b => b.ToString()));
    }
}
