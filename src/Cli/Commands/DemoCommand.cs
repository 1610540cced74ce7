using System.CommandLine;
using System.Globalization;
using Skylark.Events.Benchmarks;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Report;
using Skylark.Events.Lab.Up;
using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark demo [--duration 60s] [--mode skylark|ondemand|central] [--topology &lt;file&gt;] [--report &lt;path.json&gt;]</c>:
/// the camera pipeline on an emulated topology (the Databelt testbed by default), with live progress, a summary and
/// the report JSON.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var duration = new Option<string>("--duration") { Description = "How long the cameras film: 60s, 2m, 90 (seconds).", DefaultValueFactory = _ => "60s" };
        var mode = new Option<string>("--mode") { Description = "skylark (predict + propagate), ondemand (pull when invoked) or central (all state in the cloud).", DefaultValueFactory = _ => "skylark" };
        mode.AcceptOnlyFromAmong([.. StateModes.Names]);
        var topology = new Option<FileInfo>("--topology") { Description = "Topology YAML (default: topologies/camera-constellation.yaml)." };
        var report = new Option<FileInfo>("--report") { Description = "Write the report JSON here (default: .skylark/demo/report-<mode>.json; with --compare, one per mode next to it)." };
        var cameras = new Option<int?>("--cameras") { Description = "Simulated cameras (default: one per node hosting preprocess)." };
        var fps = new Option<double>("--fps") { Description = "Frames per second per camera.", DefaultValueFactory = _ => 1 };
        var serving = new Option<string>("--serving") { Description = "locality-aware (default) or round-robin (Knative's default).", DefaultValueFactory = _ => "locality-aware" };
        serving.AcceptOnlyFromAmong("round-robin", "locality-aware");
        var mqtt = new Option<string?>("--mqtt") { Description = "Use this MQTT broker (e.g. mqtt://user@127.0.0.1:1883, mosquitto; the password in SKYLARK_MQTT_PASSWORD) instead of the nodes' embedded servers." };
        var seed = new Option<int>("--seed") { Description = "Seed of the first camera's synthetic scene.", DefaultValueFactory = _ => 1 };
        var processes = new Option<bool>("--processes") { Description = "Run every service instance as its own OS process from its own Program, as pods, instead of all in this one." };
        var kill = new Option<string[]>("--kill")
        {
            Description = "With --processes: SIGKILL this process during the run, as <instance>@<time> (e.g. redis-edge@10s, detect-sat@20s; repeatable). The report says when each was serving again and when every frame it caught had an outcome.",
            AllowMultipleArgumentsPerToken = false,
        };
        var cut = new Option<string[]>("--cut")
        {
            Description = "Cut a node off from every other node for a while, as a satellite out of range: <node>@<time>+<duration> (e.g. sat@10s+20s; repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var compare = new Option<bool>("--compare") { Description = "Run every mode back to back on the same camera stream, all on one dashboard, and print one table (one report per mode)." };
        var manifests = ManifestsOption.Create();
        var auth = AuthOption.Create();
        var tracesPerSecond = TraceRateOption.Create();
        var controlPlane = new ControlPlaneOptions();
        var command = new Command("demo", "Run the camera pipeline (preprocess → detect → alarm) on an emulated topology and report what propagation bought.")
        {
            duration, mode, topology, report, cameras, fps, serving, mqtt, seed, compare, processes, kill, cut, manifests, auth, tracesPerSecond,
        };
        controlPlane.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            DemoOptions options;
            try
            {
                var stateMode = StateModes.Parse(parse.GetValue(mode)!);
                options = new DemoOptions
                {
                    TopologyPath = parse.GetValue(topology)?.FullName ?? SkylarkHome.Path("topologies", "camera-constellation.yaml"),
                    EventingPath = SkylarkHome.Path("eventing"),
                    ManifestsPath = parse.GetValue(manifests)?.FullName,
                    Duration = ParseDuration(parse.GetValue(duration)!),
                    Mode = stateMode,
                    Serving = parse.GetValue(serving) == "round-robin" ? ServingPolicy.RoundRobin : ServingPolicy.LocalityAware,
                    Cameras = parse.GetValue(cameras),
                    FramesPerSecond = parse.GetValue(fps),
                    Seed = parse.GetValue(seed),
                    Mqtt = parse.GetValue(mqtt) is { } url ? ExternalMqtt.Parse(url) : null,
                    ControlNode = parse.GetValue(controlPlane.Node),
                    InstantControlPlane = parse.GetValue(controlPlane.Instant),
                    Processes = parse.GetValue(processes),
                    Auth = AuthOption.IsOn(parse.GetValue(auth)),
                    TracesPerSecond = TraceRateOption.Parse(parse.GetValue(tracesPerSecond)),
                    Faults = [.. (parse.GetValue(kill) ?? []).Select(InjectedFault.ParseKill), .. (parse.GetValue(cut) ?? []).Select(InjectedFault.ParseCut)],
                    ReportPath = parse.GetValue(report)?.FullName ?? SkylarkHome.Path(".skylark", "demo", $"report-{stateMode.Name()}.json"),
                    WorkDirectory = SkylarkHome.Path(".skylark", "demo"),
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync($"skylark demo: {e.Message}");
                return 2;
            }

            return parse.GetValue(compare)
                ? await CompareAsync(options, parse.GetValue(report)?.FullName, ct)
                : await RunAsync(options, ct);
        });
        return command;
    }

    /// <summary>"60s", "2m", "1h", "1m30s" or plain seconds (<see cref="Durations"/>), with what is wrong when it is not.</summary>
    /// <exception cref="FormatException">Not a duration.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Durations.TryParse(text, out var value))
        {
            return value;
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("--duration is empty; use e.g. 60s, 2m or 1m30s.");
        }

        var unit = trimmed.SkipWhile(c => char.IsAsciiDigit(c) || c == '.').FirstOrDefault();
        throw trimmed[0] != unit && unit is not ('\0' or 'h' or 'm' or 's')
            ? new FormatException($"--duration '{text}': unknown unit '{unit}' (use h, m or s).")
            : new FormatException($"--duration '{text}' is not a duration; use e.g. 60s, 2m or 1m30s.");
    }

    private static async Task<int> RunAsync(DemoOptions options, CancellationToken ct) => (await RunAndReportAsync(options, ct)).Code;

    /// <returns>The exit code, and the report when the run got that far.</returns>
    private static async Task<(int Code, DemoReport? Report)> RunAndReportAsync(DemoOptions options, CancellationToken ct)
    {
        using var stop = new StopSignal(ct);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Error));
        if (!options.Auth)
        {
            await Console.Error.WriteLineAsync(AuthOption.Warning);
        }

        DemoReport report;
        try
        {
            report = await new DemoRun(options, loggerFactory, Console.Out).RunAsync(stop.Token);
        }
        catch (Exception e) when (e is TopologyValidationException or ResourceValidationException or RedisServerNotFoundException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"skylark demo: {e.Message}");
            return (1, null);
        }
        catch (OperationCanceledException) when (stop.IsStopping)
        {
            await Console.Error.WriteLineAsync("skylark demo: stopped.");
            return (130, null);
        }

        await Console.Out.WriteLineAsync(Summary(report));
        if (options.ReportPath is { } path)
        {
            await Console.Out.WriteLineAsync($"Report: {path}");
        }

        return (report.Workflows.Completed > 0 ? 0 : 1, report);
    }

    /// <summary>The modes <c>--compare</c> runs, in order: the product, Databelt's policy, and the two baselines.</summary>
    public static IReadOnlyList<StateMode> ComparedModes { get; } = [StateMode.Skylark, StateMode.Databelt, StateMode.OnDemand, StateMode.Central];

    private static async Task<int> CompareAsync(DemoOptions options, string? reportPath, CancellationToken ct)
    {
        // One dashboard for the whole comparison: each mode's run attaches to it, and its latency charts keep every mode
        // run so far side by side.
        await using var dashboard = options.Dashboard
            ? await DashboardApp.StartAsync(new DashboardFeed(), minimumLogLevel: options.LogLevel, cancellationToken: ct)
            : null;
        if (dashboard is not null)
        {
            dashboard.Feed.PlannedModes = [.. ComparedModes.Select(m => m.Name())];
            await Console.Out.WriteLineAsync($"Dashboard: {dashboard.Url}");
        }

        var reports = new List<DemoReport>();
        foreach (var mode in ComparedModes)
        {
            // Same seed, cameras, duration and topology: the same camera stream in every mode.
            var run = options with
            {
                Mode = mode,
                SharedDashboard = dashboard,
                ReportPath = reportPath is { } path
                    ? Path.Combine(Path.GetDirectoryName(path) ?? ".", $"{Path.GetFileNameWithoutExtension(path)}-{mode.Name()}{Path.GetExtension(path)}")
                    : SkylarkHome.Path(".skylark", "demo", $"report-{mode.Name()}.json"),
            };
            await Console.Out.WriteLineAsync($"\n=== mode {mode.Name()} ===");
            var (code, report) = await RunAndReportAsync(run, ct);
            if (report is null)
            {
                return code;
            }

            reports.Add(report);
        }

        await Console.Out.WriteLineAsync(CompareTable(reports));
        var page = Path.Combine(
            reportPath is { } given ? Path.GetDirectoryName(given) ?? "." : SkylarkHome.Path(".skylark", "demo"),
            "report.html");
        await DemoFigures.Build(reports, CompareCommandLine(options), MachineInfo.Describe(), TimeProvider.System.GetUtcNow()).WriteAsync(page, ct);
        await Console.Out.WriteLineAsync($"Figures: {page}");
        return reports.All(r => r.Workflows.Completed > 0) ? 0 : 1;
    }

    /// <summary>What the compared runs were asked for, for the figures' captions.</summary>
    private static string CompareCommandLine(DemoOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"skylark demo --compare --duration {options.Duration.TotalSeconds:0.#}s --seed {options.Seed} --fps {options.FramesPerSecond:0.##}{(options.Processes ? " --processes" : "")}{(options.InstantControlPlane ? " --instant-control-plane" : "")}");

    /// <summary>One row per mode: what each saves and what it costs, on the same camera stream.</summary>
    public static string CompareTable(IReadOnlyList<DemoReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "",
            reports.Count > 0
                ? $"Side by side on {reports[0].Topology} ({reports[0].Serving} serving), {reports[0].Cameras} camera(s) at {reports[0].Fps:0.##} fps, {reports[0].DurationSeconds:0} s each:"
                : "No runs.",
            "",
            "| mode | workflows | p50 ms | p95 ms | mean ms | read wait ms (mean) | local or waited reads | state MB | event MB | wasted MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var r in reports)
        {
            var wasted = r.BytesMoved.Wasted is { } w ? (w / 1e6).ToString("0.00", c) : "-";
            lines.Add(string.Create(c,
                $"| {r.Mode} | {r.Workflows.Completed} | {Number(r.LatencyMs.P50)} | {Number(r.LatencyMs.P95)} | {Number(r.LatencyMs.Mean)} | {Number(r.ReadWaitMs.Mean)} | {(r.StateReads.LocalRatio is { } l ? l.ToString("P1", c) : "-")} | {r.BytesMoved.State / 1e6:0.00} | {r.BytesMoved.Control / 1e6:0.00} | {wasted} |"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "-";

    public static string Summary(DemoReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reads = report.StateReads;
        var lines = new[]
        {
            "",
            $"Mode {report.Mode} on {report.Topology} ({report.Serving} serving), {report.DurationSeconds:0.#} s, {report.Cameras} camera(s) at {report.Fps:0.##} fps",
            $"  workflows   {report.Workflows.Started} started, {report.Workflows.Completed} completed, {report.Workflows.Failed} failed, {report.Workflows.Unfinished} unfinished",
            // The mean comes first: workflows that end at detect and those that go on to the alarm stage in the cloud form
            // two latency groups; whenever about half the frames go on (as in the synthetic scene's first 20 s), the p50
            // sits on the edge between them and swings between runs of the same mode.
            $"  latency     mean {Ms(report.LatencyMs.Mean)}  p50 {Ms(report.LatencyMs.P50)}  p95 {Ms(report.LatencyMs.P95)}  p99 {Ms(report.LatencyMs.P99)}  (frame capture → last reply)",
            $"  read wait   mean {Ms(report.ReadWaitMs.Mean)}  p50 {Ms(report.ReadWaitMs.P50)}  p95 {Ms(report.ReadWaitMs.P95)}  (per workflow: its functions' waits for state)",
            $"  state reads {reads.Local} local, {reads.Waited} waited, {reads.Remote} remote ({(reads.LocalRatio is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "-")} local or waited)",
            $"  prediction  accuracy {(report.Prediction.Accuracy is { } a ? a.ToString("P1", CultureInfo.InvariantCulture) : "-")}, {report.Prediction.Propagations} propagations ({report.Prediction.SentAhead} planned one step ahead)",
            $"  bytes moved {Megabytes(report.BytesMoved.State)} of state ({(report.BytesMoved.Wasted is { } wasted ? Megabytes(wasted) : "-")} not read where it went), {Megabytes(report.BytesMoved.Control)} of events over the emulated links",
            $"  detection   precision {Ratio(report.Detection.Precision)}, recall {Ratio(report.Detection.Recall)} ({report.Detection.FramesScored} frames scored)",
            $"  alarms      {report.Alarms} raised, {report.AlarmsOnMqtt} received on MQTT alarms/#    dead letters {report.DeadLetters}",
            $"  frames      {report.FramesAcknowledged} acknowledged by MQTT, {report.FramesLost} without an outcome",
        };
        var faults = report.Faults.Select(f => string.Create(
            CultureInfo.InvariantCulture,
            $"  fault       {f.Instance} {(f.Kind == "cut" ? "cut off" : "killed")} at {f.AtSeconds:0.#} s, " +
            $"{(f.RecoveredAfterSeconds is { } back ? $"{(f.Kind == "cut" ? "links back" : "serving again")} after {back:0.0} s" : "not back")}, " +
            $"{(f.SettledAfterSeconds is { } settled ? $"every frame captured until then had an outcome after {settled:0.0} s" : "some frames captured until then had no outcome")}"));
        return string.Join(Environment.NewLine, lines.Concat(faults));
    }

    private static string Ms(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.#} ms") : "-";

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB");
}
