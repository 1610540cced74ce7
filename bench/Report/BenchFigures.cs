using System.Globalization;
using System.Text.Json;
using Skylark.Events.Lab.Report;

namespace Skylark.Events.Benchmarks.Report;

/// <summary>
/// The figures of one <c>skylark bench --json</c> document: workflow latency CDFs per scenario and state size,
/// throughput against parallelism, state bytes per link, and election time against graph size beside Databelt's.
/// Read from the JSON rather than the report objects, so a document of an earlier run renders as well
/// (<c>skylark bench report --from</c>); what an older document lacks is left out or said in the caption.
/// </summary>
public static class BenchFigures
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <param name="document">The root of the <c>--json</c> document (web naming: camelCase).</param>
    /// <param name="source">Where the figures come from, for the captions (the command or the file).</param>
    public static HtmlReport Build(JsonElement document, string source)
    {
        var profile = Text(document, "profile") ?? "unknown";
        var machine = Machine(document);
        var at = Text(Child(document, "workflow"), "startedAt") is { } started && DateTimeOffset.TryParse(started, C, DateTimeStyles.AssumeUniversal, out var when)
            ? when.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", C)
            : "date unknown";
        var run = $"{profile} profile, {at}, {machine}; {source}";
        var report = new HtmlReport("skylark bench").Paragraph($"Figures of one run: {run}.");

        foreach (var scenario in Items(Child(document, "workflow"), "scenarios"))
        {
            LatencyFigures(report, scenario, run);
        }

        foreach (var scenario in Items(Child(document, "workflow"), "scenarios"))
        {
            if (Items(scenario, "parallelism").Any())
            {
                report.Add(Throughput(scenario, run));
            }
        }

        // Link bytes are counted over the latency workflows: a scenario of throughput batches only has none.
        foreach (var scenario in Items(Child(document, "workflow"), "scenarios").Where(s => Items(s, "stateBytes").Any()))
        {
            report.Add(BytesPerLink(scenario, run));
        }

        if (Child(document, "predictor") is { } predictor)
        {
            report.Add(Election(predictor, run));
        }

        return report;
    }

    private static void LatencyFigures(HtmlReport report, JsonElement scenario, string run)
    {
        var name = Text(scenario, "name") ?? "?";
        var modes = Items(scenario, "modes").ToList();
        foreach (var size in Items(scenario, "stateBytes").Select(s => s.GetInt64()))
        {
            var series = modes.Select(m => (
                Text(m, "mode") ?? "?",
                (IReadOnlyList<double>)[.. Items(m, "latency").Where(l => Number(l, "stateBytes") == size).SelectMany(l => Items(l, "endToEndSamplesMs")).Select(Value)]))
                .ToList();
            var samples = series.Count == 0 ? 0 : series.Max(s => s.Item2.Count);
            report.Add(new ReportFigure(
                $"latency-{name}-{size}",
                string.Create(C, $"Workflow latency, {name}, {Megabytes(size)} state"),
                SvgChart.StepCdf(new ChartAxis("end-to-end latency per workflow (ms)", IncludeZero: true), series, "fraction of workflows"),
                string.Create(C, $"CDF of the end-to-end latency of each workflow (input write → last stage's completion), {samples} workflows per mode, interleaved across the modes; scenario {name} ({Text(scenario, "topology")}, {Text(scenario, "serving")} serving). Run: {run}.")));
        }
    }

    private static ReportFigure Throughput(JsonElement scenario, string run)
    {
        var name = Text(scenario, "name") ?? "?";
        var series = Items(scenario, "modes").Select(m => new ChartSeries(
            Text(m, "mode") ?? "?",
            [.. Items(m, "throughput").Select(t => new ChartPoint(Number(t, "parallel"), Number(t, "workflowsPerSecond")))])).ToList();
        return new ReportFigure(
            $"throughput-{name}",
            $"Throughput against parallelism, {name}",
            SvgChart.Lines(new ChartAxis("workflows started at once", IncludeZero: true), new ChartAxis("workflows/s", IncludeZero: true), series),
            string.Create(C, $"N workflows of {Megabytes((long)Number(scenario, "throughputStateBytes"))} state started at once per mode, one batch per N; workflows/s = N / makespan (first start → last completion). Run: {run}."));
    }

    private static ReportFigure BytesPerLink(JsonElement scenario, string run)
    {
        var name = Text(scenario, "name") ?? "?";
        var modes = Items(scenario, "modes").ToList();
        var perLink = modes.Select(m => Child(m, "stateBytesPerLink") is { ValueKind: JsonValueKind.Object } links
            ? links.EnumerateObject().ToDictionary(p => p.Name, p => Value(p.Value), StringComparer.Ordinal)
            : null).ToList();
        if (perLink.All(p => p is not null))
        {
            var links = perLink.SelectMany(p => p!.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            return new ReportFigure(
                $"bytes-{name}",
                $"State bytes per link, {name}",
                SvgChart.Bars(new ChartAxis("MB"), links,
                    [.. modes.Select((m, i) => new BarSeries(Text(m, "mode") ?? "?", [.. links.Select(l => perLink[i]!.GetValueOrDefault(l) / 1e6)]))]),
                $"Bundle bytes each directed link carried per mode over the scenario's latency workflows (a multi-hop transfer counts on every hop; links that carried nothing are left out). Run: {run}.");
        }

        // Documents written before the per-link counts: the totals over all links, split by kind.
        string[] kinds = ["state", "control", "wastedBytes"];
        return new ReportFigure(
            $"bytes-{name}",
            $"Bytes over the links, {name}",
            SvgChart.Bars(new ChartAxis("MB"), [.. modes.Select(m => Text(m, "mode") ?? "?")],
                [.. kinds.Select(k => new BarSeries(k == "wastedBytes" ? "wasted" : k, [.. modes.Select(m => Number(Child(m, "bytes"), k) / 1e6)]))]),
            $"State, event and wasted bytes summed over all links per mode over the scenario's latency workflows; this run's document holds no per-link counts. Run: {run}.");
    }

    private static ReportFigure Election(JsonElement predictor, string run)
    {
        var elections = Items(predictor, "elections").ToList();
        ChartSeries Ours(string name, string field) =>
            new(name, [.. elections.Select(e => new ChartPoint(Number(e, "nodes"), Number(Child(e, field), "median")))]);
        var databelt = elections.Select(e => new ChartPoint(Number(e, "nodes"), Number(e, "originalMs"))).Where(p => double.IsFinite(p.Y)).ToList();
        List<ChartSeries> series = [Ours("cold election", "coldMs"), Ours("precompute + cold", "precomputeAndColdMs")];
        if (databelt.Count > 0)
        {
            series.Add(new ChartSeries("Databelt (reported)", databelt, Dashed: true));
        }

        var repetitions = Number(Child(predictor, "options"), "repetitions");
        var beside = databelt.Count > 0
            ? "Databelt's line is the election time its authors reported per graph, not measured here."
            : "Databelt reports no election times for these graphs, so only ours are plotted.";
        return new ReportFigure(
            "election",
            "Election time against graph size",
            SvgChart.Lines(new ChartAxis("nodes in the graph", AxisScale.Log10), new ChartAxis("ms (median)", AxisScale.Log10), series),
            string.Create(C, $"Median of {repetitions:0} repetitions per graph (Databelt's graph_*.json, the pairs its benchmark timed): a cold election on a graph in memory, and with the per-snapshot precompute. {beside} Run: {run}."));
    }

    private static string Machine(JsonElement document)
    {
        var cores = Number(document, "cores");
        var memory = Number(document, "memoryGiB");
        var system = Text(Child(Child(document, "broker"), "machine"), "operatingSystem");
        var described = double.IsFinite(cores) ? string.Create(C, $"{cores:0} cores, {memory:F1} GiB RAM") : "machine unknown";
        return system is null ? described : $"{described}, {system}";
    }

    private static string Megabytes(long bytes) => string.Create(C, $"{bytes / 1e6:0.#} MB");

    private static JsonElement? Child(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static IEnumerable<JsonElement> Items(JsonElement? element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    private static string? Text(JsonElement? element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    private static double Number(JsonElement? element, string name) => Child(element, name) is { } value ? Value(value) : double.NaN;

    /// <summary>A number, or NaN for the named literals the document writes for figures it could not take.</summary>
    private static double Value(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, C, out var parsed) ? parsed
        : double.NaN;
}
