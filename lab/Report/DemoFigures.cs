using System.Globalization;
using Skylark.Events.Lab.Demo;

namespace Skylark.Events.Lab.Report;

/// <summary>The page <c>skylark demo --compare</c> writes next to its reports: latency, read wait and bytes per link, per mode.</summary>
public static class DemoFigures
{
    public static HtmlReport Build(IReadOnlyList<DemoReport> reports, string command, string machine, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var c = CultureInfo.InvariantCulture;
        var first = reports.FirstOrDefault();
        var run = first is null
            ? "no runs"
            : string.Create(c, $"one run per mode of {first.DurationSeconds:0.#} s on {first.Topology} ({first.Serving} serving), {first.Cameras} camera(s) at {first.Fps:0.##} fps, the same camera stream in every mode");
        var measured = string.Create(c, $"{command} on {machine}, {at:yyyy-MM-dd HH:mm} UTC; {run}.");
        var report = new HtmlReport("skylark demo --compare").Paragraph(measured);

        var completed = string.Join(", ", reports.Select(r => string.Create(c, $"{r.Mode} {r.Workflows.Completed}")));
        report.Add(new ReportFigure(
            "demo-latency-cdf",
            "End-to-end latency per mode",
            SvgChart.StepCdf(new ChartAxis("latency, frame capture → last reply (ms)", IncludeZero: true), [.. reports.Select(r => (r.Mode, r.LatencyMs.Quantiles))], "fraction of workflows"),
            $"CDF over the completed workflows of each mode (its 0th–100th percentiles; workflows: {completed}). {measured}"));

        string[] readWaitStats = ["p50", "p95", "mean"];
        report.Add(new ReportFigure(
            "demo-read-wait",
            "Read wait per mode",
            SvgChart.Bars(
                new ChartAxis("read wait per workflow (ms)"),
                [.. reports.Select(r => r.Mode)],
                [
                    new BarSeries(readWaitStats[0], [.. reports.Select(r => r.ReadWaitMs.P50 ?? double.NaN)]),
                    new BarSeries(readWaitStats[1], [.. reports.Select(r => r.ReadWaitMs.P95 ?? double.NaN)]),
                    new BarSeries(readWaitStats[2], [.. reports.Select(r => r.ReadWaitMs.Mean ?? double.NaN)]),
                ]),
            $"How long each completed workflow's functions waited for the state they read, in total: p50, p95 and mean per mode. {measured}"));

        report.Add(PerLink("demo-state-bytes-per-link", "State bytes per link", reports, r => r.BytesMoved.PerLink,
            $"Bundle bytes each directed link carried per mode (a multi-hop transfer counts on every hop; links that carried nothing in any mode are left out). {measured}"));
        report.Add(PerLink("demo-event-bytes-per-link", "Event bytes per link", reports, r => r.BytesMoved.ControlPerLink,
            $"Event bytes (ingress, deliveries and replies, propagate commands, sync pings) each directed link carried per mode. {measured}"));
        return report;
    }

    private static ReportFigure PerLink(string id, string title, IReadOnlyList<DemoReport> reports, Func<DemoReport, IReadOnlyDictionary<string, long>> bytes, string caption)
    {
        var links = reports.SelectMany(r => bytes(r).Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var svg = SvgChart.Bars(
            new ChartAxis("MB"),
            links,
            [.. reports.Select(r => new BarSeries(r.Mode, [.. links.Select(l => bytes(r).TryGetValue(l, out var b) ? b / 1e6 : 0)]))]);
        return new ReportFigure(id, title, svg, caption);
    }
}
