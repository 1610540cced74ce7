using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Demo;

/// <summary>How the demo's observer decides that a workflow started, ended or failed, and what it took.</summary>
public sealed class WorkflowObserverTests
{
    private static readonly DateTimeOffset Captured = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static WorkflowObserver Observer() => new(
        DemoRun.FunctionTriggers(ResourceLoader.Load([RepositoryPaths.InRoot("eventing")])),
        (_, _) => null,
        new DetectionScorer(640, 480, 320, 240));

    [Fact]
    public void A_workflow_ends_with_the_first_reply_no_function_consumes()
    {
        var observer = Observer();

        observer.Observe(Frame("wf-1"));
        observer.Observe(Reply("wf-1", "preprocess", Captured.AddMilliseconds(40)));
        Assert.Equal(0, observer.Completed);
        observer.Observe(Reply("wf-1", "detect", Captured.AddMilliseconds(90), detected: "false"));

        Assert.Equal(1, observer.Completed);
        Assert.Equal([90.0], observer.Latencies);
        Assert.Equal(0, observer.Unfinished);
    }

    [Fact]
    public void A_detection_goes_on_to_alarm_and_the_alarm_ends_the_workflow()
    {
        var observer = Observer();

        observer.Observe(Frame("wf-2"));
        observer.Observe(Reply("wf-2", "detect", Captured.AddMilliseconds(80), detected: "true"));
        Assert.Equal(1, observer.Unfinished);
        observer.Observe(Reply("wf-2", "alarm", Captured.AddMilliseconds(200), type: EventTypes.AlarmRaised));

        Assert.Equal(1, observer.Completed);
        Assert.Equal(1, observer.Alarms);
        Assert.Equal([200.0], observer.Latencies);
    }

    [Fact]
    public void The_last_reply_may_arrive_before_the_frame_event_and_the_latency_is_still_taken()
    {
        var observer = Observer();

        observer.Observe(Reply("wf-3", "detect", Captured.AddMilliseconds(70), detected: "false"));
        observer.Observe(Frame("wf-3"));

        Assert.Equal(1, observer.Completed);
        Assert.Equal([70.0], observer.Latencies);
    }

    [Fact]
    public void A_redelivered_reply_and_a_later_dead_letter_do_not_count_twice()
    {
        var observer = Observer();
        observer.Observe(Frame("wf-4"));
        var last = Reply("wf-4", "detect", Captured.AddMilliseconds(60), detected: "false");

        observer.Observe(last);
        observer.Observe(last);
        observer.OnDeadLetter(Frame("wf-4"));

        Assert.Equal(1, observer.Completed);
        Assert.Equal(0, observer.Failed);
        Assert.Single(observer.Latencies);
    }

    [Fact]
    public void A_dead_lettered_event_fails_its_workflow()
    {
        var observer = Observer();

        observer.Observe(Frame("wf-5"));
        observer.OnDeadLetter(Frame("wf-5"));

        Assert.Equal(1, observer.Failed);
        Assert.Equal(0, observer.Completed);
        Assert.Equal(0, observer.Unfinished);
    }

    [Fact]
    public void Read_sources_of_every_reply_are_counted()
    {
        var observer = Observer();

        observer.Observe(Reply("wf-6", "preprocess", Captured, reads: ["local", "absent"]));
        observer.Observe(Reply("wf-6", "detect", Captured, detected: "false", reads: ["waited", "remote", "local"]));

        Assert.Equal((2, 1, 1), (observer.LocalReads, observer.WaitedReads, observer.RemoteReads));
    }

    private static CloudEvent Frame(string workflow)
    {
        var frame = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{workflow}-frame",
            Type = EventTypes.CameraFrame,
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            Time = Captured,
            Data = JsonSerializer.SerializeToElement(new CameraFrame("cam-1", 1, 640, 480, Captured), ContractJson.Options),
        };
        frame[ExtensionNames.WorkflowId] = workflow;
        return frame;
    }

    private static CloudEvent Reply(string workflow, string function, DateTimeOffset time, string? detected = null, string type = EventTypes.FunctionCompleted, string[]? reads = null)
    {
        var reply = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{workflow}-{function}",
            Type = type,
            Source = EventSources.Function(function),
            Time = time,
            Data = JsonSerializer.SerializeToElement(
                new
                {
                    function,
                    node = "edge",
                    reads = (reads ?? []).Select(source => new { source, bytes = 10 }),
                },
                ContractJson.Options),
        };
        reply[ExtensionNames.WorkflowId] = workflow;
        reply[ExtensionNames.Function] = function;
        if (detected is not null)
        {
            reply[ExtensionNames.Detected] = detected;
        }

        return reply;
    }
}
