using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Benchmarks;

/// <summary>
/// The workflow harness end to end on small topologies like topologies/three-nodes.yaml (one node per stage, and one
/// with detect replicated), every mode side by side, with bundles of at most 200 KB so a run takes seconds. Structure,
/// read sources and byte accounting only: no timing is asserted.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class WorkflowBenchmarkTests : IAsyncLifetime
{
    private const string FourNodes = """
        name: four-nodes
        nodes:
          - { name: edge, type: edge, functions: [stage-preprocess] }
          - { name: sat-1, type: sat, functions: [stage-detect-1] }
          - { name: sat-2, type: sat, functions: [stage-detect-2] }
          - { name: cloud, type: cloud, functions: [stage-alarm] }
        links:
          - { a: edge, b: sat-1, latencyMs: 10, bandwidthMbps: 80 }
          - { a: sat-1, b: sat-2, latencyMs: 10, bandwidthMbps: 80 }
          - { a: sat-2, b: cloud, latencyMs: 25, bandwidthMbps: 30 }
          - { a: edge, b: cloud, latencyMs: 40, bandwidthMbps: 20 }
        """;

    private const string Replicated = """
        name: four-nodes-replicated
        nodes:
          - { name: edge, type: edge, functions: [stage-preprocess] }
          - { name: sat-1, type: sat, functions: [stage-detect-1, stage-detect-2] }
          - { name: sat-2, type: sat, functions: [stage-detect-1, stage-detect-2] }
          - { name: cloud, type: cloud, functions: [stage-alarm] }
        links:
          - { a: edge, b: sat-1, latencyMs: 10, bandwidthMbps: 80 }
          - { a: sat-1, b: sat-2, latencyMs: 10, bandwidthMbps: 80 }
          - { a: sat-2, b: cloud, latencyMs: 25, bandwidthMbps: 30 }
          - { a: edge, b: cloud, latencyMs: 40, bandwidthMbps: 20 }
        """;

    private static readonly string[] Hosts = ["edge", "sat-1", "sat-2", "cloud"];

    private static readonly string[] Modes = ["skylark", "databelt", "ondemand", "central"];

    private readonly ScratchDirectory _work = new();
    private WorkflowBenchmarkReport _report = null!;

    public async Task InitializeAsync()
    {
        var pinned = _work.File("four-nodes.yaml");
        await File.WriteAllTextAsync(pinned, FourNodes);
        var replicated = _work.File("four-nodes-replicated.yaml");
        await File.WriteAllTextAsync(replicated, Replicated);
        _report = await WorkflowBenchmark.RunAsync(
            new WorkflowBenchmarkOptions
            {
                EventingPath = RepositoryPaths.InRoot("bench", "eventing"),
                WorkDirectory = _work.File("runs"),
                Scenarios =
                [
                    new() { Name = "static", TopologyPath = pinned, StateBytes = [100_000, 200_000], Repetitions = 1 },
                    new() { Name = "branch", TopologyPath = pinned, StateBytes = [50_000], Repetitions = 3, AlarmEvery = 3 },
                    new() { Name = "replicated", TopologyPath = replicated, StateBytes = [50_000], Repetitions = 2 },
                    new() { Name = "pipelined", TopologyPath = pinned, StateBytes = [120_000], Repetitions = 1, Work = new StageWork(4, TimeSpan.FromMilliseconds(200)) },
                    new() { Name = "throughput", TopologyPath = pinned, Parallelism = [3], ThroughputStateBytes = 100_000 },
                ],
                WarmUpWorkflows = 2,
                WarmUpStateBytes = 50_000,
                WorkflowTimeout = TimeSpan.FromSeconds(30),
                Tracing = new TracingComparisonOptions { StateBytes = 50_000, Pairs = 2 },
            },
            NullLoggerFactory.Instance,
            progress: null,
            CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _work.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Every_scenario_measures_every_mode_side_by_side_with_every_stage_on_its_node()
    {
        Assert.Equal(["static", "branch", "replicated", "pipelined", "throughput"], _report.Scenarios.Select(s => s.Name));
        Assert.All(_report.Scenarios, s => Assert.Equal(Modes, s.Modes.Select(m => m.Mode)));
        foreach (var mode in _report.Scenario("static")!.Modes)
        {
            Assert.Equal([100_000L, 200_000L], mode.Latency.Select(l => l.StateBytes));
            Assert.All(mode.Latency, l =>
            {
                Assert.Equal(1, l.Repetitions);
                Assert.Single(l.EndToEndSamplesMs);
                Assert.Equal(WorkflowStages.InOrder, l.Stages.Select(s => s.Function));
                Assert.Equal(Hosts, l.Stages.Select(s => s.Node));
                Assert.All(l.Stages, s => Assert.Equal(1, s.Reads.Total));
                Assert.True(l.ReadWaitMs.Median >= 0, $"{mode.Mode}: read wait {l.ReadWaitMs.Median}");
            });
        }

        foreach (var mode in _report.Scenario("throughput")!.Modes)
        {
            var throughput = Assert.Single(mode.Throughput);
            Assert.Equal((3, 100_000L, 12), (throughput.Parallel, throughput.StateBytes, throughput.Reads.Total));
            Assert.True(throughput.WorkflowsPerSecond > 0, $"{mode.Mode}: {throughput.WorkflowsPerSecond} workflows/s");
        }
    }

    [Fact]
    public void In_the_branch_scenario_only_one_workflow_in_three_goes_on_to_the_alarm_stage_in_every_mode()
    {
        Assert.All(_report.Scenario("branch")!.Modes, mode =>
        {
            var stages = Assert.Single(mode.Latency).Stages;
            Assert.Equal(3, stages.Single(s => s.Function == WorkflowStages.Detect2).Reads.Total);
            Assert.Equal(1, stages.Single(s => s.Function == WorkflowStages.Alarm).Reads.Total);
        });
    }

    [Fact]
    public void In_the_pipelined_scenario_every_stage_computes_and_emits_its_output_as_items_in_every_mode()
    {
        var scenario = _report.Scenario("pipelined")!;

        Assert.Equal((4, 200.0), (scenario.OutputItems, scenario.ComputeMs));
        Assert.Equal((0, 0.0), (_report.Scenario("static")!.OutputItems, _report.Scenario("static")!.ComputeMs));
        Assert.All(scenario.Modes, mode =>
        {
            var latency = Assert.Single(mode.Latency);
            Assert.Equal(WorkflowStages.InOrder, latency.Stages.Select(s => s.Function));
            Assert.Equal(Hosts, latency.Stages.Select(s => s.Node));
            Assert.All(latency.Stages, s => Assert.True(s.DurationMs >= 195, $"{mode.Mode} {s.Function}: {s.DurationMs} ms for 200 ms of compute"));
            Assert.True(latency.EndToEndMs.Median >= 4 * 195, $"{mode.Mode}: {latency.EndToEndMs.Median} ms end to end");
        });

        // The first stage reads the driver's input (one item); the others read the tiles their predecessor emitted.
        var ondemand = scenario.Find(StateMode.OnDemand)!;
        Assert.InRange(ondemand.Bytes.Needed, 3 * (120_000 + (4 * WorkflowStages.TileItem(0).Length)), (3 * (120_000 + (4 * WorkflowStages.TileItem(0).Length))) + 100);
        Assert.True(_report.SummaryFigures().Single(f => f.Key == "p50VsOndemand_pipelined").Value > 0);
        Assert.Equal(
            scenario.Find(StateMode.Skylark)!.ReadWaitMs / ondemand.ReadWaitMs,
            _report.SummaryFigures().Single(f => f.Key == "readWaitVsOndemand_pipelined").Value,
            precision: 9);
    }

    [Fact]
    public void Replicated_stages_run_on_more_than_one_node_when_served_round_robin()
    {
        var skylark = _report.Scenario("replicated")!.Find(StateMode.Skylark)!;

        Assert.Equal("round-robin", _report.Scenario("replicated")!.Serving);
        Assert.Contains("|", skylark.Latency[0].Stages.Single(s => s.Function == WorkflowStages.Detect1).Node, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_central_store_every_read_away_from_the_cloud_crosses_the_link_and_only_the_cloud_stage_reads_locally()
    {
        var central = _report.Scenario("static")!.Find(StateMode.Central)!;

        Assert.All(central.Latency.SelectMany(l => l.Stages), s =>
            Assert.Equal(s.Node == "cloud" ? (1, 0) : (0, 1), (s.Reads.Local, s.Reads.Remote)));
        Assert.Null(central.Predictor);
        Assert.Null(central.Bytes.WastedBytes);
    }

    [Fact]
    public void The_control_plane_crosses_the_links_in_every_mode_and_is_counted_apart_from_state()
    {
        Assert.False(_report.InstantControlPlane);
        Assert.All(_report.Scenario("static")!.Modes, mode =>
        {
            Assert.True(mode.Bytes.Control > 0, $"{mode.Mode}: no control bytes");
            Assert.True(mode.Bytes.State >= mode.Bytes.Needed, $"{mode.Mode}: {mode.Bytes.State} state bytes < {mode.Bytes.Needed} needed");
        });

        // Three hand-overs per workflow cross a link; on demand, each is pulled once and nothing else moves.
        var ondemand = _report.Scenario("static")!.Find(StateMode.OnDemand)!;
        // (plus the item's name in each read's size)
        Assert.InRange(ondemand.Bytes.Needed, 3 * (100_000 + 200_000), (3 * (100_000 + 200_000)) + 100);
        Assert.True(ondemand.Bytes.WastedBytes < 0.05 * ondemand.Bytes.Needed, $"on demand wasted {ondemand.Bytes.WastedBytes} bytes");
    }

    [Fact]
    public void In_propagating_modes_every_input_is_read_from_this_node_or_a_pull_of_it()
    {
        foreach (var mode in new[] { StateMode.Skylark, StateMode.Databelt })
        {
            var result = _report.Scenario("static")!.Find(mode)!;

            Assert.NotNull(result.Predictor);
            Assert.True(result.Predictor.PropagateCommands > 0, $"{mode}: no propagate command");
            Assert.Equal(0, result.Reads.Other);
            Assert.All(result.Latency, l => Assert.Equal((1, 0), (l.Stages[0].Reads.Local, l.Stages[0].Reads.Remote)));
        }
    }

    [Fact]
    public void The_summary_keys_are_ratios_of_the_measured_cases()
    {
        var keys = _report.SummaryFigures().ToDictionary(f => f.Key, f => f.Value);
        var scenario = _report.Scenario("static")!;

        Assert.True(double.IsNaN(keys["p50VsOndemand_static_5MB"]), "no 5 MB case was measured");
        Assert.True(double.IsNaN(keys["p50VsOndemand_churn"]), "no churn scenario was run");
        Assert.Equal(
            scenario.Find(StateMode.Skylark)!.Latency[0].ReadWaitMs.Median / scenario.Find(StateMode.OnDemand)!.Latency[0].ReadWaitMs.Median,
            _report.ReadWaitRatio("static", StateMode.Skylark, StateMode.OnDemand, 100_000),
            precision: 9);
        var throughput = _report.Scenario("throughput")!;
        Assert.Equal(
            throughput.Find(StateMode.Skylark)!.Throughput[0].WorkflowsPerSecond / throughput.Find(StateMode.Central)!.Throughput[0].WorkflowsPerSecond,
            keys["throughputGainVsCentral"],
            precision: 9);
        Assert.Equal(
            scenario.Find(StateMode.Skylark)!.P50Ms / scenario.Find(StateMode.Databelt)!.P50Ms,
            keys["p50VsDatabelt_static"],
            precision: 9);
    }

    [Fact]
    public void Traced_and_untraced_workflows_are_measured_in_turn_and_only_the_traced_ones_record_spans()
    {
        var tracing = _report.Tracing!;
        Assert.Equal(("static", "skylark", 50_000L, 2), (tracing.Scenario, tracing.Mode, tracing.StateBytes, tracing.Pairs));
        Assert.All([tracing.UntracedMs.Median, tracing.TracedMs.Median], ms => Assert.True(ms > 0, $"{ms} ms"));

        // Every hop of a four-stage workflow starts spans: the broker's receive and sends, each stage, the Predictor, pulls.
        Assert.True(tracing.SpansPerTracedWorkflow >= 10, $"{tracing.SpansPerTracedWorkflow} spans per traced workflow");
        Assert.Equal(tracing.TracedMs.Median / tracing.UntracedMs.Median, tracing.P50Ratio, precision: 9);
        Assert.Equal(tracing.P50Ratio, _report.OtherFigures().Single(f => f.Key == "tracedVsUntracedWorkflowP50").Value, precision: 9);
    }
}
