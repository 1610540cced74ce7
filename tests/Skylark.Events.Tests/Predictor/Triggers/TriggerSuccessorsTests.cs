using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Predictor.Triggers;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor.Triggers;

/// <summary>Candidate successors come from evaluating the loaded Triggers' own filters.</summary>
public class TriggerSuccessorsTests
{
    private static TriggerSuccessors Shipped() =>
        new(ResourceLoader.Load([TraceFiles.ShippedEventing]), "default", ["predictor"], "skylark");

    private static TriggerSuccessors Branching() =>
        new(ResourceLoader.Load([TraceFiles.BranchingTriggers]), "default", ["predictor"], "skylark");

    private static CloudEvent Completed(string function, params (string Name, string Value)[] extensions)
    {
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
        };
        cloudEvent[ExtensionNames.Function] = function;
        foreach (var (name, value) in extensions)
        {
            cloudEvent[name] = value;
        }

        return cloudEvent;
    }

    [Fact]
    public void In_the_shipped_pipeline_preprocess_leads_to_detect()
    {
        Assert.Equal(["detect"], Shipped().For(Completed("preprocess")));
    }

    [Fact]
    public void A_detection_leads_to_alarm_and_a_non_detection_to_nothing()
    {
        Assert.Equal(["alarm"], Shipped().For(Completed("detect", ("detected", "true"))));
        Assert.Empty(Shipped().For(Completed("detect", ("detected", "false"))));
        Assert.Empty(Shipped().For(Completed("detect")));
    }

    [Fact]
    public void The_end_of_the_pipeline_leads_nowhere_and_the_predictors_own_trigger_is_not_a_step()
    {
        var successors = Shipped();

        Assert.Empty(successors.For(Completed("alarm")));
        Assert.DoesNotContain("predictor", successors.Functions);
        Assert.Equal(["preprocess", "detect", "alarm"], successors.Functions);
    }

    [Fact]
    public void A_camera_frame_leads_to_preprocess()
    {
        var frame = new CloudEvent { Id = "f1", Type = EventTypes.CameraFrame, Source = EventSources.Camera("cam-a") };

        Assert.Equal(["preprocess"], Shipped().For(frame));
    }

    [Fact]
    public void Every_filter_dialect_is_evaluated_as_the_broker_would()
    {
        var successors = Branching();

        // exact + prefix (enrich) and attributes (classify)
        Assert.Equal(["classify", "enrich"], successors.For(Completed("ingest")));

        // exact (archive), CESQL with IN (notify), attributes (audit)
        Assert.Equal(["archive", "notify", "audit"], successors.For(Completed("classify", ("label", "smoke"))));
        Assert.Equal(["archive", "audit"], successors.For(Completed("classify", ("label", "none"))));
        Assert.Equal(["archive", "audit"], successors.For(Completed("classify")));
    }

    [Fact]
    public void Triggers_of_other_brokers_and_uri_subscribers_are_not_successors()
    {
        var successors = Branching();

        Assert.DoesNotContain("shadow", successors.Functions);
        Assert.Equal(["webhook"], successors.SkippedTriggers);

        var staging = new TriggerSuccessors(ResourceLoader.Load([TraceFiles.BranchingTriggers]), "staging", [], "skylark");
        Assert.Equal(["shadow"], staging.For(Completed("ingest")));
    }
}
