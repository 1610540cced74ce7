namespace Skylark.Events.Tests.Predictor.Traces;

/// <summary>The committed traces are exactly what the generator produces, so the ground truth cannot drift from its definition.</summary>
public class TraceFilesTests
{
    public static TheoryData<string> Traces => [.. TraceGenerator.All.Keys];

    [Theory]
    [MemberData(nameof(Traces))]
    public void A_recorded_trace_equals_its_generator_output(string trace)
    {
        var generated = TraceGenerator.All[trace]();
        if (Environment.GetEnvironmentVariable("SKYLARK_REGENERATE_TRACES") == "1")
        {
            File.WriteAllText(TraceFiles.PathOf(trace), generated);
        }

        Assert.True(File.Exists(TraceFiles.PathOf(trace)), $"{trace} is missing; run the tests once with SKYLARK_REGENERATE_TRACES=1.");
        Assert.Equal(generated, File.ReadAllText(TraceFiles.PathOf(trace)));
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void A_recorded_trace_is_in_time_order_with_a_truth_for_every_completion(string trace)
    {
        var records = TraceFiles.Read(trace);

        Assert.NotEmpty(records);
        Assert.All(records.Zip(records.Skip(1)), pair => Assert.True(pair.First.Time <= pair.Second.Time));

        // Every successor named in a truth completes later in the same workflow on the named node.
        for (var i = 0; i < records.Count; i++)
        {
            foreach (var successor in records[i].Next)
            {
                Assert.Contains(
                    records.Skip(i + 1),
                    r => r.WorkflowId == records[i].WorkflowId && r.Function == successor.Function && r.Node == successor.Node);
            }
        }
    }
}
