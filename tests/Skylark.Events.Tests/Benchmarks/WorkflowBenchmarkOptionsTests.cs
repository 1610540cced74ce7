using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Benchmarks;

/// <summary>The workflow section's profiles: which scenarios, on which topology, with what stage work.</summary>
public sealed class WorkflowBenchmarkOptionsTests
{
    private static WorkflowBenchmarkOptions Profile(bool quick) => quick
        ? WorkflowBenchmarkOptions.Quick(RepositoryPaths.InRoot("bench"), "work")
        : WorkflowBenchmarkOptions.Full(RepositoryPaths.InRoot("bench"), "work");

    [Theory]
    [InlineData(false, WorkflowBenchmarkOptions.Megabyte * 2, 7)]
    [InlineData(true, WorkflowBenchmarkOptions.Megabyte, 2)]
    public void The_pipelined_scenario_runs_the_static_placement_with_stages_emitting_8_items_over_400_ms(bool quick, long bytes, int repetitions)
    {
        var scenarios = Profile(quick).Scenarios;

        var pipelined = Assert.Single(scenarios, s => s.Name == "pipelined");
        var placement = Assert.Single(scenarios, s => s.Name == "static");

        Assert.Equal((8, TimeSpan.FromMilliseconds(400)), (pipelined.Work.OutputItems, pipelined.Work.ComputeTime));
        Assert.Equal([bytes], pipelined.StateBytes);
        Assert.Equal(repetitions, pipelined.Repetitions);
        Assert.Equal(placement.TopologyPath, pipelined.TopologyPath);
        Assert.Equal((placement.Serving, placement.AlarmEvery), (pipelined.Serving, pipelined.AlarmEvery));
        Assert.Empty(pipelined.Parallelism);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_other_scenario_writes_each_output_at_once_as_before(bool quick)
    {
        var others = Profile(quick).Scenarios.Where(s => s.Name != "pipelined").ToList();

        Assert.NotEmpty(others);
        Assert.All(others, s => Assert.Same(StageWork.None, s.Work));
    }

    [Fact]
    public void Stage_work_travels_as_extensions_and_reads_back_the_same()
    {
        var work = WorkflowBenchmarkOptions.PipelinedWork;

        var extensions = work.Extensions().ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal(new Dictionary<string, string> { [WorkflowStages.OutputItemsExtension] = "8", [WorkflowStages.ComputeExtension] = "400" }, extensions);
        Assert.Equal(work, StageWork.Parse(extensions[WorkflowStages.OutputItemsExtension], extensions[WorkflowStages.ComputeExtension]));
        Assert.Same(StageWork.None, StageWork.Parse(null, null));
        Assert.Empty(StageWork.None.Extensions());
        Assert.Throws<ArgumentException>(() => new StageWork(0, TimeSpan.FromMilliseconds(10)));
    }
}
