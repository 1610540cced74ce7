using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Skylark.Events.Benchmarks;
using Skylark.Events.Benchmarks.Report;
using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Tests.Lab.Report;

namespace Skylark.Events.Tests.Benchmarks;

public sealed class BenchFiguresTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Fact]
    public void The_page_has_latency_CDFs_throughput_bytes_per_link_and_election_beside_Databelt()
    {
        var html = BenchFigures.Build(JsonSerializer.SerializeToElement(Document()), "skylark bench --quick").ToHtml();

        foreach (var id in new[] { "latency-static-1000000", "throughput-throughput", "bytes-static", "election" })
        {
            Assert.Contains($"<figure id=\"{id}\">", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<figure id=\"bytes-throughput\">", html, StringComparison.Ordinal);
        Assert.Contains("Databelt (reported)", html, StringComparison.Ordinal);
        Assert.Contains("sat1-&gt;cloud", html, StringComparison.Ordinal);
        Assert.Contains("quick profile, 2026-12-05 05:59 UTC, 2 cores, 23.5 GiB RAM", html, StringComparison.Ordinal);
        Assert.Contains("Median of 7 repetitions", html, StringComparison.Ordinal);
        Assert.Contains("3 workflows per mode", html, StringComparison.Ordinal);
        HtmlReportTests.AssertSelfContained(html);
    }

    [Fact]
    public void Without_Databelt_times_or_per_link_counts_the_captions_say_what_is_plotted_instead()
    {
        var document = Document();
        foreach (var election in document["predictor"]!["elections"]!.AsArray())
        {
            election!["originalMs"] = "NaN";
        }

        foreach (var mode in document["workflow"]!["scenarios"]![0]!["modes"]!.AsArray())
        {
            mode!.AsObject().Remove("stateBytesPerLink");
        }

        var html = BenchFigures.Build(JsonSerializer.SerializeToElement(document), "old.json").ToHtml();

        Assert.DoesNotContain("Databelt (reported)", html, StringComparison.Ordinal);
        Assert.Contains("Databelt reports no election times for these graphs, so only ours are plotted.", html, StringComparison.Ordinal);
        Assert.Contains("Bytes over the links, static", html, StringComparison.Ordinal);
        Assert.Contains("holds no per-link counts", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_link_bytes_are_what_each_link_carried_between_two_counts()
    {
        var between = LinkBytes.PerLinkBetween(
            new Dictionary<string, long> { ["a->b"] = 10, ["b->a"] = 5 },
            new Dictionary<string, long> { ["a->b"] = 110, ["b->a"] = 5, ["b->c"] = 7 });

        Assert.Equal(new Dictionary<string, long> { ["a->b"] = 100, ["b->c"] = 7 }, between);
    }

    [Fact]
    public void The_workflow_steps_count_warm_ups_repetitions_batches_and_the_tracing_comparison()
    {
        var options = WorkflowBenchmarkOptions.Quick("bench", "work");
        var expected = options.Scenarios.GroupBy(s => (s.TopologyPath, s.Serving)).Count()
            + options.Scenarios.Sum(s => (s.StateBytes.Count > 0 ? s.Repetitions : 0) + s.Parallelism.Count);

        Assert.Equal(expected + 1, WorkflowBenchmark.StepCount(options));
        Assert.Equal(expected, WorkflowBenchmark.StepCount(options with { Tracing = null }));
    }

    /// <summary>The document as <c>skylark bench --json</c> writes it, the workflow section from the report objects.</summary>
    private static JsonObject Document()
    {
        var stat = BenchmarkStatistic.Of([100, 120, 140]);
        var bytes = new LinkBytes(2_000_000, 1_000, 2_000_000, 0);
        var reads = new ReadSourceCounts(3, 0, 0, 0);
        ModeResult Mode(string mode, double scale) => new(
            mode,
            [new LatencyCase(mode, 1_000_000, 3, stat, 100, 140, 140, stat, 5, [], 1, bytes, [100 * scale, 120 * scale, 140 * scale])],
            [new ThroughputCase(mode, 5, 2_000_000, 4000, 1.25 / scale, stat, reads, bytes), new ThroughputCase(mode, 10, 2_000_000, 6000, 1.6 / scale, stat, reads, bytes)],
            stat, 140, 10, reads, reads, bytes, null)
        {
            StateBytesPerLink = new Dictionary<string, long> { ["sat1->cloud"] = (long)(1_000_000 * scale) },
        };
        var workflow = new WorkflowBenchmarkReport(
            new DateTimeOffset(2026, 12, 5, 5, 59, 35, TimeSpan.Zero), TimeSpan.FromMinutes(3), 1, false,
            [
                new ScenarioResult("static", "databelt-workflow.yaml", "round-robin", [1_000_000], 3, [], 2_000_000, 1, [Mode("skylark", 1), Mode("central", 3)], TimeSpan.FromMinutes(1)),
                new ScenarioResult("throughput", "databelt-workflow.yaml", "round-robin", [], 3, [5, 10], 2_000_000, 1, [Mode("skylark", 1), Mode("central", 3)], TimeSpan.FromMinutes(1)),
            ]);
        var predictor = JsonNode.Parse("""
            {"options": {"repetitions": 7},
             "elections": [
               {"nodes": 10, "originalMs": 1, "coldMs": {"median": 0.002}, "precomputeAndColdMs": {"median": 0.02}},
               {"nodes": 10000, "originalMs": 832, "coldMs": {"median": 1.0}, "precomputeAndColdMs": {"median": 22.2}}]}
            """);
        return new JsonObject
        {
            ["cores"] = 2,
            ["memoryGiB"] = 23.54,
            ["profile"] = "quick",
            ["predictor"] = predictor,
            ["workflow"] = JsonSerializer.SerializeToNode(workflow, Json),
        };
    }
}
