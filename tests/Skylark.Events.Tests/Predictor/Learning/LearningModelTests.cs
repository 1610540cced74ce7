using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Learning;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor.Learning;

/// <summary>The online models: decayed counts, follow rates, placement levels and co-read sets.</summary>
public class LearningModelTests
{
    [Fact]
    public void With_decay_0_6_a_new_placement_dominates_after_two_observations()
    {
        var model = new PlacementModel(decay: 0.6, maxKeys: 100);
        for (var i = 0; i < 20; i++)
        {
            model.Observe("detect", "edge", 0, "sat-1");
        }

        model.Observe("detect", "edge", 0, "sat-2");
        Assert.Equal("sat-1", model.Predict("detect", "edge", 0)[0].Node);

        model.Observe("detect", "edge", 0, "sat-2");
        var (node, probability) = model.Predict("detect", "edge", 0)[0];
        Assert.Equal("sat-2", node);
        Assert.True(probability > 0.6, $"{probability}");
    }

    [Fact]
    public void Placement_falls_back_from_snapshot_to_predecessor_to_function_level()
    {
        var model = new PlacementModel(decay: 0.6, maxKeys: 100);
        model.Observe("detect", "edge", 3, "sat-3");

        Assert.Equal("sat-3", model.Predict("detect", "edge", 3)[0].Node);
        Assert.Equal("sat-3", model.Predict("detect", "edge", 4)[0].Node);
        Assert.Equal("sat-3", model.Predict("detect", "other-edge", 0)[0].Node);
        Assert.Empty(model.Predict("alarm", "edge", 3));

        model.Observe("detect", "edge", 4, "sat-4");
        Assert.Equal("sat-3", model.Predict("detect", "edge", 3)[0].Node);
        Assert.Equal("sat-4", model.Predict("detect", "edge", 4)[0].Node);
    }

    [Fact]
    public void Placement_keeps_at_most_its_key_bound()
    {
        var model = new PlacementModel(decay: 0.6, maxKeys: 30);
        for (var i = 0; i < 100; i++)
        {
            model.Observe($"f{i}", "edge", 0, "n");
        }

        Assert.True(model.Count <= 30);
        Assert.NotEmpty(model.Predict("f99", "edge", 0));
    }

    [Fact]
    public void A_trigger_is_trusted_until_its_function_keeps_not_following()
    {
        var model = new SuccessorModel(decay: 0.95);
        Assert.Equal(1.0, model.Probability("classify", "audit"));

        model.Observe("classify", "audit", followed: false);
        Assert.Equal(0.5, model.Probability("classify", "audit"));

        model.Observe("classify", "audit", followed: false);
        Assert.True(model.Probability("classify", "audit") < 0.5);

        model.Correct("classify", "audit");
        Assert.True(model.Probability("classify", "audit") > 0.5);
    }

    [Fact]
    public void Successor_delays_remember_the_recent_longest_and_stand_in_for_unseen_siblings()
    {
        var model = new SuccessorModel(decay: 0.5);
        Assert.Null(model.DelayMs("classify", "audit"));

        model.ObserveDelay("classify", "archive", 80);
        model.ObserveDelay("classify", "archive", 20);
        Assert.Equal(40, model.DelayMs("classify", "archive"));
        Assert.Equal(40, model.DelayMs("classify", "audit"));
    }

    [Fact]
    public void Co_reads_are_the_other_workflows_bundles_at_their_latest_written_place()
    {
        var model = new CoReadModel(maxPerSet: 8, maxSets: 10, maxTrackedBundles: 10);
        var writer = new TraceWriter();
        var background1 = new StateRef("sat-1", "camera-c", "detect.background");
        var background2 = background1.On("sat-2");
        writer.Completion(
            "detect", "wf-1", "sat-1", "c", TraceGenerator.Epoch, new StateRef("sat-1", "wf-1", "detect.result"),
            [new(new StateRef("edge", "wf-1", "preprocess.frame"), "remote", 100), new(background1, "local", 384_024)],
            [new(background1, 384_024)], 1, null, []);
        writer.Completion(
            "preprocess", "wf-2", "edge", "c", TraceGenerator.Epoch.AddSeconds(1), new StateRef("edge", "wf-2", "preprocess.frame"),
            [], [], 1, null, []);
        foreach (var cloudEvent in writer.Events)
        {
            model.Observe(CompletionReader.Read(cloudEvent, TraceGenerator.Epoch));
        }

        // The frame of the workflow itself is not a co-read; the stream's background model is.
        Assert.Equal([(background1, 384_024L)], model.Lookup("detect", "c").Select(r => (r.Ref, r.Bytes ?? 0)));
        Assert.Empty(model.Lookup("detect", "other-camera"));
        Assert.Empty(model.Lookup("alarm", "c"));

        // Detect moves: its next run writes the model on sat-2, which is where it now is.
        var moved = new TraceWriter();
        moved.Completion(
            "detect", "wf-3", "sat-2", "c", TraceGenerator.Epoch.AddSeconds(2), new StateRef("sat-2", "wf-3", "detect.result"),
            [new(background2, "absent", 0)], [new(background2, 384_024)], 1, null, []);
        model.Observe(CompletionReader.Read(moved.Events[0], TraceGenerator.Epoch));

        Assert.Equal([background2], model.Lookup("detect", "c").Select(r => r.Ref));
    }
}
