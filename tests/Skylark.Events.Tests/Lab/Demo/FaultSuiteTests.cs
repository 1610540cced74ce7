using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Demo;

/// <summary>
/// Faults injected into a running cluster on topologies/three-nodes.yaml, every service its own process: a node's
/// redis-server, a function, a StateSink or the broker (with its journal) SIGKILLed, or the satellite cut off for a
/// while. Whatever the fault, every frame the cameras' MQTT server acknowledged ends with an outcome (its workflow
/// completed, or was dead-lettered with the reason) within the bound, and frames captured after the recovery complete.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    /// <summary>From the fault until every frame captured before its recovery has an outcome (docs/reliability.md).</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Faults => new()
    {
        "--kill redis-edge@3s",
        "--kill detect-sat@3s",
        "--kill statesink-sat@3s",
        "--kill broker@3s",
        "--cut sat@3s+4s",
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_acknowledged_frame_ends_with_an_outcome_and_the_pipeline_works_again(string fault)
    {
        using var work = new ScratchDirectory();
        var injected = fault.StartsWith("--kill ", StringComparison.Ordinal)
            ? InjectedFault.ParseKill(fault["--kill ".Length..])
            : InjectedFault.ParseCut(fault["--cut ".Length..]);
        var options = new DemoOptions
        {
            TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            EventingPath = RepositoryPaths.InRoot("eventing"),
            Mode = StateMode.Skylark,
            // Long enough that frames are still captured after a process slow to come back on a loaded machine.
            Duration = TimeSpan.FromSeconds(16),
            FramesPerSecond = 2,
            Cameras = 1,
            Processes = true,
            Faults = [injected],
            DrainTimeout = SettleBound,
            WorkDirectory = work.Path,
        };

        using var console = new StringWriter();
        var report = await new DemoRun(options, NullLoggerFactory.Instance, console).RunAsync(CancellationToken.None);
        output.WriteLine(console.ToString());
        output.WriteLine(JsonSerializer.Serialize(report, DemoReport.Json));

        var outcome = Assert.Single(report.Faults);
        Assert.True(report.FramesAcknowledged >= 15, $"only {report.FramesAcknowledged} frames were acknowledged");
        Assert.Equal(0, report.FramesLost);
        // Only a frame whose acknowledgement the end of filming cut short may still be running: it was never owed one.
        Assert.True(
            report.Workflows.Unfinished <= Math.Max(0, report.Workflows.Started - report.FramesAcknowledged),
            $"{report.Workflows.Unfinished} workflows unfinished with {report.FramesAcknowledged} of {report.Workflows.Started} frames acknowledged");
        Assert.True(report.DeadLetters >= report.Workflows.Failed, $"{report.Workflows.Failed} workflows failed but only {report.DeadLetters} dead letters were kept");
        Assert.NotNull(outcome.RecoveredAfterSeconds);
        Assert.True(outcome.SettledAfterSeconds <= SettleBound.TotalSeconds, $"settled after {outcome.SettledAfterSeconds} s");
        Assert.True(outcome.CompletedAfterRecovery > 0, "no frame captured after the recovery completed");
    }
}
