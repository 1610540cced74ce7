using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Cli.Bench;
using Skylark.Events.Cli.Bench.Workflow;
using Skylark.Events.Cli.Up;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark bench [--quick] [--json path]</c>: every benchmark, each comparison measured side by side in one run.
/// Results go to the console and, with <c>--json</c>, to a file that docs/benchmarks.md is written from.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer events and repetitions: a few minutes, for regular use." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file." };
        var only = new Option<string?>("--only")
        {
            Description = "Run one section (broker, predictor, fusion, workflow), e.g. to profile it; no JSON then.",
        };
        only.AcceptOnlyFromAmong(Sections);
        var command = new Command("bench", "Run the benchmarks and print median and spread of each measure.") { quick, json, only };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(quick), parse.GetValue(json), parse.GetValue(only), ct));
        return command;
    }

    private static readonly string[] Sections = ["broker", "predictor", "fusion", "workflow"];

    private static async Task<int> RunAsync(bool quick, FileInfo? json, string? only, CancellationToken ct)
    {
        var output = Console.Out;
        if (only is not null && json is not null)
        {
            await Console.Error.WriteLineAsync("--json needs every section: the summary takes figures from all of them; drop --only.");
            return 2;
        }

        await output.WriteLineAsync($"skylark bench ({(quick ? "quick" : "full")} profile) on {MachineInfo.Describe()}");
        if (only is not null)
        {
            await RunSectionAsync(only, quick, output, ct);
            return 0;
        }

        var options = BrokerOptions(quick);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\nBroker vs minimal relay and bare Kestrel: {options.Events} events x {options.Repetitions} repetitions, {options.Concurrency} concurrent senders"));
        var broker = await BrokerBenchmark.RunAsync(options, ct);
        await WriteBrokerAsync(output, broker);

        var predictorOptions = PredictorOptions(quick);
        await output.WriteLineAsync("\nPredictor: election time per graph size and decision latency per completion");
        var predictor = await PredictorBenchmark.RunAsync(predictorOptions, ct);
        await output.WriteLineAsync(predictor.ToMarkdown());

        var fusionOptions = quick ? FusionBenchmarkOptions.Quick : FusionBenchmarkOptions.Full;
        await output.WriteLineAsync("\nFusion: B bundles of 16 KiB or 10 MB read fused vs separately, state in the cloud / on a neighbour / local");
        var fusion = await FusionBenchmark.RunAsync(fusionOptions, ct);
        await output.WriteLineAsync(fusion.ToMarkdown());

        var workflowOptions = WorkflowOptions(quick);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\nWorkflow: 4 stages (3 satellites → cloud) on the Databelt testbed's links, modes {string.Join(" / ", workflowOptions.Modes.Select(m => m.Name()))}"));
        using var loggerFactory = BenchLoggerFactory();
        var workflow = await WorkflowBenchmark.RunAsync(workflowOptions, loggerFactory, output, ct);
        await output.WriteLineAsync(workflow.ToMarkdown());

        if (json is not null)
        {
            var at10000 = predictor.Elections.FirstOrDefault(e => e.Nodes == 10_000);
            var document = new BenchResults(MachineInfo.Cores, MachineInfo.MemoryGiB, quick ? "quick" : "full", broker, predictor, fusion, workflow,
                new BenchSummary(
                    workflow.E2eLatencyReductionVsCentral5MB,
                    workflow.LocalStateAvailability,
                    workflow.ThroughputGainVsCentral,
                    fusion.FusionLatencyReductionB5,
                    fusion.PullGoodputVsLink10MB,
                    at10000?.ColdMs.Median ?? double.NaN,
                    broker.OneTriggerVsRelayRatio,
                    broker.DurableVsOneTriggerRatio),
                new BenchFigures(
                    broker.OneTriggerThroughputRatio,
                    broker.DurableThroughputRatio,
                    broker.RelayThroughputRatio,
                    fusion.LargeBundleFusionLatencyReductionB5,
                    fusion.PullThroughputFraction,
                    at10000?.PrecomputeAndColdMs.Median ?? double.NaN,
                    workflow.LatencyReduction(StateMode.OnDemand, StateMode.Central, WorkflowBenchmarkReport.SummaryStateBytes),
                    workflow.ThroughputGain(StateMode.OnDemand, StateMode.Central),
                    workflow.Modes.FirstOrDefault(m => m.Mode == StateMode.Skylark.Name())?.LatencyPropagatedInputReads.Availability ?? double.NaN));
            await using var file = json.Create();
            await JsonSerializer.SerializeAsync(file, document, BenchJson.Options, ct);
            await output.WriteLineAsync($"\nwrote {json.FullName}");
        }

        return 0;
    }

    private static async Task RunSectionAsync(string section, bool quick, TextWriter output, CancellationToken ct)
    {
        switch (section)
        {
            case "broker":
                await WriteBrokerAsync(output, await BrokerBenchmark.RunAsync(BrokerOptions(quick), ct));
                break;
            case "predictor":
                await output.WriteLineAsync((await PredictorBenchmark.RunAsync(PredictorOptions(quick), ct)).ToMarkdown());
                break;
            case "fusion":
                await output.WriteLineAsync((await FusionBenchmark.RunAsync(quick ? FusionBenchmarkOptions.Quick : FusionBenchmarkOptions.Full, ct)).ToMarkdown());
                break;
            default:
                using (var loggerFactory = BenchLoggerFactory())
                {
                    await output.WriteLineAsync((await WorkflowBenchmark.RunAsync(WorkflowOptions(quick), loggerFactory, output, ct)).ToMarkdown());
                }

                break;
        }
    }

    private static BrokerBenchmarkOptions BrokerOptions(bool quick) => quick
        // The warm-up stays full-size: a shorter one leaves the broker's larger code path mid tier-up and biases
        // the comparison against it (measured: 0.28 of bare with 2,000 warm-up events vs 0.77–0.87 in full runs).
        ? new BrokerBenchmarkOptions { Events = 10_000, Repetitions = 3 }
        : new BrokerBenchmarkOptions();

    private static PredictorBenchmarkOptions PredictorOptions(bool quick) => new()
    {
        GraphDirectory = Path.GetFullPath(Path.Combine(SkylarkHome.Root, "..", "shared", "anchors", "databelt")),
        EventingPath = SkylarkHome.Path("eventing"),
        TopologyPath = SkylarkHome.Path("topologies", "databelt-testbed.yaml"),
        Repetitions = quick ? 7 : 21,
    };

    private static WorkflowBenchmarkOptions WorkflowOptions(bool quick) => quick
        ? WorkflowBenchmarkOptions.Quick(WorkflowTopology, WorkflowEventing, WorkflowWorkDirectory)
        : WorkflowBenchmarkOptions.Full(WorkflowTopology, WorkflowEventing, WorkflowWorkDirectory);

    /// <summary>Warnings of the emulated clusters (failed pulls, dead letters) go to the console with the results.</summary>
    private static ILoggerFactory BenchLoggerFactory() =>
        LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

    private static string WorkflowTopology => SkylarkHome.Path("bench", "databelt-workflow.yaml");

    private static string WorkflowEventing => SkylarkHome.Path("bench", "eventing");

    private static string WorkflowWorkDirectory => SkylarkHome.Path(".skylark", "bench");

    private static async Task WriteBrokerAsync(TextWriter output, BrokerBenchmarkReport report)
    {
        await output.WriteLineAsync("  scenario                         events/s median [min..max]      p50 ms   p99 ms   429s");
        foreach (var scenario in new[] { report.BareEndpoint, report.MinimalRelay }.Concat(report.Broker))
        {
            var throughput = string.Create(CultureInfo.InvariantCulture,
                $"  {scenario.Name,-32} {scenario.EventsPerSecond.Median,9:F0} [{scenario.EventsPerSecond.Min:F0}..{scenario.EventsPerSecond.Max:F0}]");
            await output.WriteLineAsync(throughput.PadRight(72) + string.Create(CultureInfo.InvariantCulture,
                $"{scenario.LatencyP50Ms.Median,7:F2}  {scenario.LatencyP99Ms.Median,7:F2}  {scenario.Throttled,5}"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  brokerThroughputVsMinimalRelay (broker, 1 trigger / minimal relay): {report.OneTriggerVsRelayRatio:F2} (target >= 0.90)"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  durableBrokerThroughputVsBroker (broker + journal / broker, 1 trigger each): {report.DurableVsOneTriggerRatio:F2} (target >= 0.80)"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  against the bare endpoint: minimal relay {report.RelayThroughputRatio:F2} (the two-hop ceiling), broker {report.OneTriggerThroughputRatio:F2}, broker + journal {report.DurableThroughputRatio:F2}"));
    }
}

/// <summary>The <c>--json</c> document.</summary>
public sealed record BenchResults(
    int Cores,
    double MemoryGiB,
    string Profile,
    BrokerBenchmarkReport Broker,
    PredictorBenchmarkReport Predictor,
    FusionBenchmarkReport Fusion,
    WorkflowBenchmarkReport Workflow,
    BenchSummary Summary,
    BenchFigures Figures);

/// <summary>The headline figures under exactly these key names (docs/benchmarks.md).</summary>
public sealed record BenchSummary(
    [property: JsonPropertyName("e2eLatencyReductionVsCentral_5MB")] double E2eLatencyReductionVsCentral5MB,
    [property: JsonPropertyName("localStateAvailability")] double LocalStateAvailability,
    [property: JsonPropertyName("throughputGainVsCentral")] double ThroughputGainVsCentral,
    [property: JsonPropertyName("fusionLatencyReduction_B5")] double FusionLatencyReductionB5,
    [property: JsonPropertyName("pullGoodputVsLink_10MB")] double PullGoodputVsLink10MB,
    [property: JsonPropertyName("electionMs_graph10000")] double ElectionMsGraph10000,
    [property: JsonPropertyName("brokerThroughputVsMinimalRelay")] double BrokerThroughputVsMinimalRelay,
    [property: JsonPropertyName("durableBrokerThroughputVsBroker")] double DurableBrokerThroughputVsBroker);

/// <summary>Other figures, outside the fixed summary.</summary>
public sealed record BenchFigures(
    [property: JsonPropertyName("brokerThroughputVsBareKestrel")] double BrokerThroughputVsBareKestrel,
    [property: JsonPropertyName("durableBrokerThroughputVsBareKestrel")] double DurableBrokerThroughputVsBareKestrel,
    [property: JsonPropertyName("minimalRelayThroughputVsBareKestrel")] double MinimalRelayThroughputVsBareKestrel,
    [property: JsonPropertyName("fusionLatencyReduction_B5_10MB")] double FusionLatencyReductionB5Of10MB,
    [property: JsonPropertyName("pullThroughputFraction")] double PullThroughputFraction,
    [property: JsonPropertyName("electionMsWithPrecompute_graph10000")] double ElectionMsWithPrecomputeGraph10000,
    [property: JsonPropertyName("onDemandE2eLatencyReductionVsCentral_5MB")] double OnDemandE2eLatencyReductionVsCentral5MB,
    [property: JsonPropertyName("onDemandThroughputGainVsCentral")] double OnDemandThroughputGainVsCentral,
    [property: JsonPropertyName("localStateAvailabilityOfPropagatedInputs")] double LocalStateAvailabilityOfPropagatedInputs);

internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
