using Skylark.Events.Predictor.Learning;

namespace Skylark.Events.Tests.Predictor.Learning;

public sealed class ServingSequenceModelTests
{
    [Fact]
    public void Instances_taking_turns_become_certain_once_each_turn_was_seen()
    {
        var model = new ServingSequenceModel(decay: 0.6, maxFunctions: 100);

        foreach (var node in new[] { "sat-1", "sat-2", "sat-3", "sat-1", "sat-2", "sat-3", "sat-1" })
        {
            model.Observe("detect", node);
        }

        var next = Assert.Single(model.Predict("detect"));
        Assert.Equal(("sat-2", 1.0), next);
    }

    [Fact]
    public void Nothing_is_predicted_before_a_function_ran_twice_and_functions_do_not_mix()
    {
        var model = new ServingSequenceModel(decay: 0.6, maxFunctions: 100);

        model.Observe("detect", "sat-1");
        model.Observe("alarm", "cloud");

        Assert.Empty(model.Predict("detect"));
        Assert.Empty(model.Predict("preprocess"));
    }

    [Fact]
    public void An_exported_sequence_imported_elsewhere_predicts_the_same()
    {
        var model = new ServingSequenceModel(decay: 0.6, maxFunctions: 100);
        foreach (var node in new[] { "a", "b", "a", "b", "a" })
        {
            model.Observe("detect", node);
        }

        var restored = new ServingSequenceModel(decay: 0.6, maxFunctions: 100);
        foreach (var entry in model.Export())
        {
            restored.Import(entry.Function, entry.After, entry.Last, entry.Next);
        }

        Assert.Equal(model.Predict("detect"), restored.Predict("detect"));
        Assert.Equal("b", restored.Predict("detect")[0].Node);
    }
}
