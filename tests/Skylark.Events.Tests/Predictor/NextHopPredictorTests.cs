using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Tests.Predictor.Support;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor;

/// <summary>Hand-written event sequences for behaviour the recorded traces do not isolate.</summary>
public class NextHopPredictorTests
{
    private static TraceWriter.Read Remote(StateRef stateRef, long bytes) => new(stateRef, "remote", bytes);

    /// <summary>preprocess on edge then detect on <paramref name="detectNode"/> for one frame of <paramref name="camera"/>.</summary>
    private static void Frame(TraceWriter writer, string camera, int seq, string detectNode)
    {
        var workflow = $"{camera}-{seq}";
        var time = TraceGenerator.Epoch + TimeSpan.FromSeconds(seq);
        var frame = new StateRef("edge", workflow, "preprocess.frame");
        var background = new StateRef(detectNode, $"camera-{camera}", "detect.background");
        writer.Completion("preprocess", workflow, "edge", camera, time, frame, [], [new(frame, 70_000)], 5, null, [new("detect", detectNode)]);
        writer.Completion(
            "detect", workflow, detectNode, camera, time.AddMilliseconds(40), new StateRef(detectNode, workflow, "detect.result"),
            [Remote(frame, 70_000), new(background, "local", 384_024)],
            [new(background, 384_024), new(new StateRef(detectNode, workflow, "detect.result"), 300)],
            30, null, [], ("detected", "false"));
    }

    [Fact]
    public void The_stream_bundles_the_successor_read_last_time_travel_with_the_output()
    {
        var writer = new TraceWriter();
        Frame(writer, "cam-1", 0, "sat-1");   // cam-1's background model now lives on sat-1
        Frame(writer, "cam-2", 1, "sat-2");   // detect moves to sat-2 ...
        Frame(writer, "cam-2", 2, "sat-2");   // ... and history now says sat-2
        var predictor = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        foreach (var cloudEvent in writer.Events)
        {
            predictor.Observe(CompletionReader.Read(cloudEvent, TraceGenerator.Epoch));
        }

        var next = new TraceWriter();
        var frame = new StateRef("edge", "cam-1-3", "preprocess.frame");
        next.Completion("preprocess", "cam-1-3", "edge", "cam-1", TraceGenerator.Epoch.AddSeconds(3), frame, [], [new(frame, 70_000)], 5, null, []);
        var decision = predictor.Observe(CompletionReader.Read(next.Events[0], TraceGenerator.Epoch));

        // Two commands to sat-2 for detect: the frame from edge, and cam-1's background model from sat-1.
        Assert.Equal(
            [("edge", "sat-2", "detect", frame.ToString()), ("sat-1", "sat-2", "detect", "sat-1/camera-cam-1/detect.background")],
            decision.Commands.Select(c => (c.Data.From, c.Data.To, c.Data.Function, string.Join(",", c.Data.Bundles))).OrderBy(c => c.From));
        Assert.Equal([70_000L, 384_024L], decision.Commands.OrderBy(c => c.Data.From).Select(c => c.Bytes));
    }

    [Fact]
    public void Instances_served_in_turn_are_predicted_by_their_turn_not_by_an_even_split()
    {
        // Round-robin serving: detect alternates between the satellites whatever node the frame is on.
        var writer = new TraceWriter();
        for (var seq = 0; seq < 6; seq++)
        {
            Frame(writer, "cam-1", seq, seq % 2 == 0 ? "sat-1" : "sat-2");
        }

        var predictor = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        foreach (var cloudEvent in writer.Events)
        {
            predictor.Observe(CompletionReader.Read(cloudEvent, TraceGenerator.Epoch));
        }

        var next = new TraceWriter();
        var frame = new StateRef("edge", "cam-1-6", "preprocess.frame");
        next.Completion("preprocess", "cam-1-6", "edge", "cam-1", TraceGenerator.Epoch.AddSeconds(6), frame, [], [new(frame, 70_000)], 5, null, []);
        var decision = predictor.Observe(CompletionReader.Read(next.Events[0], TraceGenerator.Epoch));

        // The last frame went to sat-2, so this one goes to sat-1, and so does its frame.
        var successor = decision.Successors.Single();
        Assert.Equal(("sat-1", 1.0), (successor.ExpectedNode, successor.NodeProbability));
        Assert.Contains(decision.Commands, c => c.Data.To == "sat-1" && c.Data.Bundles.Contains(frame));
        Assert.DoesNotContain(decision.Commands, c => c.Data.To == "sat-2" && c.Data.Bundles.Contains(frame));
    }

    [Fact]
    public void Without_a_topology_only_history_places_state()
    {
        var predictor = Replay.CreatePredictor(TraceFiles.ShippedEventing, topology: null);
        var decisions = Replay.Run(predictor, TraceFiles.Read(TraceGenerator.Pipeline));

        var first = decisions[0].Decision;
        Assert.Equal(NodeSource.Unknown, first.Successors.Single().NodeSource);
        Assert.Empty(first.Commands);
        Assert.All(decisions.Where(d => d.Record.Function == "preprocess").Skip(1), d => Assert.Equal(["sat"], d.Decision.OutputCommands.Select(c => c.TargetNode)));
    }

    [Fact]
    public void An_exported_model_imported_elsewhere_decides_the_same()
    {
        var records = TraceFiles.Read(TraceGenerator.PlacementChange);
        var learned = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        Replay.Run(learned, records.Take(records.Count - 40));

        // Judge every open step first, so both predictors start the tail from the same model and nothing pending.
        learned.Sweep(records[^41].Time + TimeSpan.FromHours(1));
        var restored = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        restored.ImportModel(learned.ExportModel());

        static string Summary(PredictionDecision d) =>
            string.Join(";", d.Commands.Select(c => $"{c.Data.From}>{c.Data.To}:{c.Data.Function}:{c.Data.Probability}:{string.Join(",", c.Data.Bundles)}"));

        var tail = records.Skip(records.Count - 40).Where(r => r.Function == "preprocess").ToList();
        foreach (var record in tail)
        {
            Assert.Equal(Summary(Replay.Observe(learned, record)), Summary(Replay.Observe(restored, record)));
        }

        // Without the model the same completion is elected toward the nearest host, sat-1.
        var fresh = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.TwoSatellites);
        Assert.Equal(["sat-2"], Replay.Observe(restored, tail[^1]).OutputCommands.Select(c => c.TargetNode));
        Assert.Equal(["sat-1"], Replay.Observe(fresh, tail[^1]).OutputCommands.Select(c => c.TargetNode));
    }
}
