using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Report;

namespace Skylark.Events.Tests.Lab.Report;

public sealed class HtmlReportTests
{
    [Fact]
    public void The_page_holds_each_figure_by_id_and_title_escapes_text_and_names_no_external_file()
    {
        var html = new HtmlReport("Run <1> & co")
            .Paragraph("measured on \"this\" machine")
            .Add(new ReportFigure("latency static", "Latency <p50>", SvgChart.StepCdf(new ChartAxis("ms"), [("skylark", [1, 2])]), "a & b"))
            .ToHtml();

        Assert.Contains("<figure id=\"latency-static\">", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Latency &lt;p50&gt;</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Run &lt;1&gt; &amp; co</title>", html, StringComparison.Ordinal);
        Assert.Contains("<figcaption>a &amp; b</figcaption>", html, StringComparison.Ordinal);
        Assert.Contains("measured on &quot;this&quot; machine", html, StringComparison.Ordinal);
        AssertSelfContained(html);
    }

    [Fact]
    public void The_demo_comparison_has_latency_read_wait_and_bytes_per_link_per_mode()
    {
        var html = DemoFigures.Build([Report("skylark", 100), Report("central", 300)], "skylark demo --compare", "2 cores, 23.5 GiB RAM", DateTimeOffset.UnixEpoch).ToHtml();

        foreach (var id in new[] { "demo-latency-cdf", "demo-read-wait", "demo-state-bytes-per-link", "demo-event-bytes-per-link" })
        {
            Assert.Contains($"<figure id=\"{id}\">", html, StringComparison.Ordinal);
        }

        Assert.Contains("sat-&gt;cloud", html, StringComparison.Ordinal);
        Assert.Contains("2 cores, 23.5 GiB RAM", html, StringComparison.Ordinal);
        Assert.Contains(">skylark<", html, StringComparison.Ordinal);
        Assert.Contains(">central<", html, StringComparison.Ordinal);
        AssertSelfContained(html);
    }

    [Fact]
    public void A_summary_keeps_its_percentiles_as_a_bounded_distribution()
    {
        var summary = LatencySummaryMs.Of([.. Enumerable.Range(1, 1000).Select(i => (double)i)]);

        Assert.Equal(101, summary.Quantiles.Count);
        Assert.Equal(1, summary.Quantiles[0]);
        Assert.Equal(500, summary.Quantiles[50]);
        Assert.Equal(1000, summary.Quantiles[100]);
        Assert.Empty(LatencySummaryMs.Of([]).Quantiles);
    }

    internal static void AssertSelfContained(string html)
    {
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.Single(html.Split("<html", StringSplitOptions.None).Skip(1));
    }

    private static DemoReport Report(string mode, double latency) => new(
        mode, "camera-constellation", "locality-aware", 30, 2, 1, 60,
        new WorkflowCounts(60, 60, 0, 0),
        LatencySummaryMs.Of([latency, latency * 2, latency * 3]),
        LatencySummaryMs.Of([1, 2, 3]),
        new StateReadCounts(10, 2, 1),
        new PredictionSummary(null, null, 0, 0, 0),
        new BytesMoved(3000, 2000, 1000, 10,
            new Dictionary<string, long> { ["sat->cloud"] = 2000 },
            new Dictionary<string, long> { ["sat->cloud"] = 1000 }),
        new DetectionSummary(null, null, 0),
        0, 0, 0);
}
