using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Benchmarks;
using Skylark.Events.Benchmarks.Report;
using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;

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
        var json = new Option<FileInfo?>("--json")
        {
            Description = "Write the results as JSON to this file, and their figures to report.html beside it (default: .skylark/bench/report.json).",
        };
        var only = new Option<string?>("--only")
        {
            Description = "Run one section (broker, predictor, fusion, workflow), e.g. to profile it; no JSON then.",
        };
        only.AcceptOnlyFromAmong(Sections);
        var scenario = new Option<string[]>("--scenario")
        {
            Description = "With --only workflow: run only these workflow scenarios of the profile (e.g. pipelined); repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var controlPlane = new ControlPlaneOptions();
        var command = new Command("bench", "Run the benchmarks and print median and spread of each measure.") { quick, json, only, scenario, CreateReport() };
        controlPlane.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var workflow = new WorkflowSettings(parse.GetValue(controlPlane.Node), parse.GetValue(controlPlane.Instant), parse.GetValue(scenario) ?? []);
            return RunAsync(parse.GetValue(quick), parse.GetValue(json), parse.GetValue(only), workflow, ct);
        });
        return command;
    }

    /// <summary><c>skylark bench report --from &lt;json&gt; --out &lt;dir&gt;</c>: the figures of a run's JSON, as report.html and one SVG per figure.</summary>
    private static Command CreateReport()
    {
        var from = new Option<FileInfo>("--from") { Description = "A JSON document skylark bench --json wrote.", Required = true };
        var to = new Option<DirectoryInfo>("--out") { Description = "Folder for report.html and one SVG per figure.", Required = true };
        var command = new Command("report", "Render the figures of a bench JSON: report.html and one SVG per figure.") { from, to };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(from)!;
            var directory = parse.GetValue(to)!;
            JsonDocument document;
            try
            {
                await using var file = source.OpenRead();
                document = await JsonDocument.ParseAsync(file, cancellationToken: ct);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"skylark bench report: {source.FullName}: {e.Message}");
                return 2;
            }

            using (document)
            {
                var report = BenchFigures.Build(document.RootElement, $"rendered from {source.Name}");
                var page = Path.Combine(directory.FullName, "report.html");
                await report.WriteAsync(page, ct);
                var figures = await report.WriteFiguresAsync(directory.FullName, ct);
                await Console.Out.WriteLineAsync($"wrote {page} and {figures.Count} SVG figures in {directory.FullName}");
            }

            return 0;
        });
        return command;
    }

    private static readonly string[] Sections = ["broker", "predictor", "fusion", "workflow"];

    /// <summary>The keys of the <c>--json</c> document's <c>summary</c>: a contract (docs/benchmarks.md), each a ratio or time from one run.</summary>
    public static IReadOnlyList<string> SummaryKeys { get; } =
    [
        "p50VsOndemand_static_5MB", "readWaitVsOndemand_static_1MB", "p50VsOndemand_replicated", "p50VsOndemand_churn",
        "p50VsDatabelt_static", "p50VsDatabelt_replicated", "p50VsDatabelt_churn", "p99VsDatabelt_churn",
        "wastedBytesVsDatabelt_replicated", "e2eLatencyReductionVsCentral_5MB", "localStateAvailability_churn",
        "throughputGainVsCentral", "throughputGainVsOndemand", "throughputGainVsDatabelt",
        "p50VsOndemand_pipelined", "readWaitVsOndemand_pipelined",
        "fusionLatencyReduction_B5", "pullGoodputVsLink_10MB", "brokerThroughputVsMinimalRelay", "durableBrokerThroughputVsBroker",
        "electionMs_graph10000",
    ];

    /// <summary>How the workflow section's clusters place and emulate the control plane, and which of its scenarios run (all when empty).</summary>
    private sealed record WorkflowSettings(string? ControlNode, bool InstantControlPlane, IReadOnlyList<string> Scenarios);

    private static async Task<int> RunAsync(bool quick, FileInfo? json, string? only, WorkflowSettings workflowSettings, CancellationToken ct)
    {
        var output = Console.Out;
        if (only is not null && json is not null)
        {
            await Console.Error.WriteLineAsync("--json needs every section: the summary takes figures from all of them; drop --only.");
            return 2;
        }

        if (workflowSettings.Scenarios.Count > 0)
        {
            if (only != "workflow")
            {
                await Console.Error.WriteLineAsync("--scenario needs --only workflow: the summary takes figures from every scenario.");
                return 2;
            }

            var known = WorkflowOptions(quick, workflowSettings with { Scenarios = [] }).Scenarios.Select(s => s.Name).ToList();
            if (workflowSettings.Scenarios.Except(known, StringComparer.Ordinal).FirstOrDefault() is { } unknown)
            {
                await Console.Error.WriteLineAsync($"Unknown workflow scenario '{unknown}'; the {(quick ? "quick" : "full")} profile has: {string.Join(", ", known)}.");
                return 2;
            }
        }

        await output.WriteLineAsync($"skylark bench ({(quick ? "quick" : "full")} profile) on {MachineInfo.Describe()}");
        if (only is not null)
        {
            await RunSectionAsync(only, quick, workflowSettings, output, ct);
            return 0;
        }

        json ??= new FileInfo(Path.Combine(WorkflowWorkDirectory, "report.json"));
        var started = TimeProvider.System.GetTimestamp();
        var options = BrokerOptions(quick);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\n[section 1/4: broker, 0 s so far] Broker vs minimal relay and bare Kestrel: {options.Events} events x {options.Repetitions} repetitions, {options.Concurrency} concurrent senders"));
        var broker = await BrokerBenchmark.RunAsync(options, ct, output);
        await WriteBrokerAsync(output, broker);

        var predictorOptions = PredictorOptions(quick);
        await output.WriteLineAsync($"\n{Section(2, "predictor", started)} Predictor: election time per graph size and decision latency per completion");
        var predictor = await PredictorBenchmark.RunAsync(predictorOptions, ct, output);
        await output.WriteLineAsync(predictor.ToMarkdown());

        var fusionOptions = quick ? FusionBenchmarkOptions.Quick : FusionBenchmarkOptions.Full;
        await output.WriteLineAsync($"\n{Section(3, "fusion", started)} Fusion: B bundles of 16 KiB or 10 MB read fused vs separately, state in the cloud / on a neighbour / local");
        var fusion = await FusionBenchmark.RunAsync(fusionOptions, ct, output);
        await output.WriteLineAsync(fusion.ToMarkdown());

        var workflowOptions = WorkflowOptions(quick, workflowSettings);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"\n{Section(4, "workflow", started)} Workflow: 4 stages (satellites → cloud) on the Databelt testbed's links, scenarios {string.Join(", ", workflowOptions.Scenarios.Select(x => x.Name))}, modes {string.Join(" / ", workflowOptions.Modes.Select(m => m.Name()))} side by side"));
        using var loggerFactory = BenchLoggerFactory();
        var workflow = await WorkflowBenchmark.RunAsync(workflowOptions, loggerFactory, output, ct);
        await output.WriteLineAsync(workflow.ToMarkdown());

        var at10000 = predictor.Elections.FirstOrDefault(e => e.Nodes == 10_000);
        IReadOnlyList<BenchFigure> summary =
        [
            .. workflow.SummaryFigures(),
            new("fusionLatencyReduction_B5", fusion.FusionLatencyReductionB5, AtLeast: 0.60),
            new("pullGoodputVsLink_10MB", fusion.PullGoodputVsLink10MB, AtLeast: 0.95),
            new("brokerThroughputVsMinimalRelay", broker.OneTriggerVsRelayRatio, AtLeast: 0.90),
            new("durableBrokerThroughputVsBroker", broker.DurableVsOneTriggerRatio, AtLeast: 0.80),
            new("electionMs_graph10000", at10000?.ColdMs.Median ?? double.NaN, AtMost: 5),
        ];
        if (!summary.Select(f => f.Key).Order(StringComparer.Ordinal).SequenceEqual(SummaryKeys.Order(StringComparer.Ordinal)))
        {
            throw new InvalidOperationException("The summary's keys differ from BenchCommand.SummaryKeys, the documented contract.");
        }

        IReadOnlyList<BenchFigure> figures =
        [
            .. workflow.OtherFigures(),
            new("brokerThroughputVsBareKestrel", broker.OneTriggerThroughputRatio),
            new("durableBrokerThroughputVsBareKestrel", broker.DurableThroughputRatio),
            new("minimalRelayThroughputVsBareKestrel", broker.RelayThroughputRatio),
            new("identifiedBrokerThroughputVsBroker", broker.IdentifiedVsOneTriggerRatio),
            new("tracedBrokerThroughputVsBroker", broker.TracedVsOneTriggerRatio),
            new("everyTraceBrokerThroughputVsBroker", broker.EveryTraceVsOneTriggerRatio),
            new("fusionLatencyReduction_B5_10MB", fusion.LargeBundleFusionLatencyReductionB5),
            new("pullThroughputFraction", fusion.PullThroughputFraction),
            new("electionMsWithPrecompute_graph10000", at10000?.PrecomputeAndColdMs.Median ?? double.NaN),
        ];
        await output.WriteLineAsync("\nSummary (each a ratio from this run):");
        foreach (var figure in summary)
        {
            await output.WriteLineAsync("  " + figure);
        }

        var document = new BenchResults(MachineInfo.Cores, MachineInfo.MemoryGiB, quick ? "quick" : "full", broker, predictor, fusion, workflow,
            summary.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            figures.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));
        json.Directory?.Create();
        await using (var file = json.Create())
        {
            await JsonSerializer.SerializeAsync(file, document, BenchJson.Options, ct);
        }

        var page = Path.Combine(json.DirectoryName ?? ".", "report.html");
        await BenchFigures.Build(JsonSerializer.SerializeToElement(document, BenchJson.Options), $"skylark bench{(quick ? " --quick" : "")}").WriteAsync(page, ct);
        await output.WriteLineAsync($"\nwrote {json.FullName} and {page} ({TimeProvider.System.GetElapsedTime(started).TotalMinutes:F0} min in all)");
        return 0;
    }

    /// <summary>Sections differ too much in length for a time left from the ones done; the elapsed time says how far the run is.</summary>
    private static string Section(int number, string name, long started) =>
        string.Create(CultureInfo.InvariantCulture, $"[section {number}/4: {name}, {TimeProvider.System.GetElapsedTime(started).TotalMinutes:F0} min so far]");

    private static async Task RunSectionAsync(string section, bool quick, WorkflowSettings workflowSettings, TextWriter output, CancellationToken ct)
    {
        switch (section)
        {
            case "broker":
                await WriteBrokerAsync(output, await BrokerBenchmark.RunAsync(BrokerOptions(quick), ct, output));
                break;
            case "predictor":
                await output.WriteLineAsync((await PredictorBenchmark.RunAsync(PredictorOptions(quick), ct, output)).ToMarkdown());
                break;
            case "fusion":
                await output.WriteLineAsync((await FusionBenchmark.RunAsync(quick ? FusionBenchmarkOptions.Quick : FusionBenchmarkOptions.Full, ct, output)).ToMarkdown());
                break;
            default:
                using (var loggerFactory = BenchLoggerFactory())
                {
                    await output.WriteLineAsync((await WorkflowBenchmark.RunAsync(WorkflowOptions(quick, workflowSettings), loggerFactory, output, ct)).ToMarkdown());
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

    private static WorkflowBenchmarkOptions WorkflowOptions(bool quick, WorkflowSettings settings)
    {
        var profile = quick
            ? WorkflowBenchmarkOptions.Quick(SkylarkHome.Path("bench"), WorkflowWorkDirectory)
            : WorkflowBenchmarkOptions.Full(SkylarkHome.Path("bench"), WorkflowWorkDirectory);
        return profile with
        {
            ControlNode = settings.ControlNode,
            InstantControlPlane = settings.InstantControlPlane,
            Scenarios = settings.Scenarios.Count == 0 ? profile.Scenarios : [.. profile.Scenarios.Where(s => settings.Scenarios.Contains(s.Name))],
        };
    }

    /// <summary>Warnings of the emulated clusters (failed pulls, dead letters) go to the console with the results.</summary>
    private static ILoggerFactory BenchLoggerFactory() =>
        LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

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
            $"  identifiedBrokerThroughputVsBroker (broker verifying each sender's token and an EventPolicy / broker, 1 trigger each): {report.IdentifiedVsOneTriggerRatio:F2}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  tracedBrokerThroughputVsBroker (broker traced as skylark up does, <= {TraceStore.DefaultNewTracesPerSecond:0} new traces/s recorded / broker, 1 trigger each): {report.TracedVsOneTriggerRatio:F2}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  everyTraceBrokerThroughputVsBroker (broker recording every trace / broker, 1 trigger each): {report.EveryTraceVsOneTriggerRatio:F2}"));
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
    IReadOnlyDictionary<string, double> Summary,
    IReadOnlyDictionary<string, double> Figures);

internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
