using System.Globalization;
using Skylark.Events.Lab.Report;

namespace Skylark.Events.Tests.Lab.Report;

public sealed class SvgChartTests
{
    [Fact]
    public void A_known_CDF_steps_up_by_one_nth_at_each_sample_at_the_expected_coordinates()
    {
        // Plot area: x 72..472 for 0..40, y 308 (0) .. 16 (1).
        var svg = SvgChart.StepCdf(new ChartAxis("ms", Min: 0, Max: 40), [("skylark", [30, 10, 40, 20])]);

        Assert.Contains("points=\"172,308 172,235 272,235 272,162 372,162 372,89 472,89 472,16\"", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void CdfSteps_leave_out_what_is_not_a_number()
    {
        var steps = SvgChart.CdfSteps([2, double.NaN, 1, double.PositiveInfinity]);

        Assert.Equal(new ChartPoint[] { new(1, 0), new(1, 0.5), new(2, 0.5), new(2, 1) }, steps);
    }

    [Fact]
    public void Axes_have_round_ticks_labels_and_a_legend()
    {
        var svg = SvgChart.Lines(
            new ChartAxis("parallel workflows", IncludeZero: true),
            new ChartAxis("workflows/s", IncludeZero: true),
            [new ChartSeries("skylark", [new(5, 1.2), new(50, 1.65)]), new ChartSeries("central", [new(5, 0.41), new(50, 0.45)], Dashed: true)]);

        foreach (var tick in new[] { ">0<", ">10<", ">50<", ">0.5<", ">1.5<", ">2<" })
        {
            Assert.Contains(tick, svg, StringComparison.Ordinal);
        }

        Assert.Contains(">parallel workflows<", svg, StringComparison.Ordinal);
        Assert.Contains(">workflows/s<", svg, StringComparison.Ordinal);
        Assert.Contains(">skylark<", svg, StringComparison.Ordinal);
        Assert.Contains(">central<", svg, StringComparison.Ordinal);
        Assert.Contains("stroke-dasharray", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("-0<", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_axes_tick_each_decade_and_leave_out_values_at_or_below_zero()
    {
        var svg = SvgChart.Lines(
            new ChartAxis("nodes", AxisScale.Log10),
            new ChartAxis("ms", AxisScale.Log10),
            [new ChartSeries("cold", [new(10, 0.002), new(10_000, 1), new(100, 0)])]);

        foreach (var tick in new[] { ">10<", ">100<", ">1000<", ">10,000<", ">0.001<", ">0.01<", ">1<" })
        {
            Assert.Contains(tick, svg, StringComparison.Ordinal);
        }

        Assert.Equal(2, svg.Split("<circle", StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public void Numbers_are_written_in_the_invariant_culture_under_any_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var svg = SvgChart.Lines(new ChartAxis("x", Min: 0, Max: 1), new ChartAxis("y", Min: 0, Max: 1), [new ChartSeries("a", [new(0.5, 0.1)])]);

            // x 0.5 → 272; y 0.1 → 308 − 29.2.
            Assert.Contains("points=\"272,278.8\"", svg, StringComparison.Ordinal);
            Assert.Contains(">0.2<", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("0,2", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("278,8", svg, StringComparison.Ordinal);
            Assert.Equal("12,500", SvgChart.FormatTick(12_500));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Bars_label_each_category_and_escape_the_text()
    {
        var svg = SvgChart.Bars(new ChartAxis("MB"), ["sat1->cloud", "<a&b>"], [new BarSeries("skylark", [2, 0.5]), new BarSeries("central", [4, double.NaN])]);

        Assert.Contains("sat1-&gt;cloud", svg, StringComparison.Ordinal);
        Assert.Contains("&lt;a&amp;b&gt;", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<a&b>", svg, StringComparison.Ordinal);
        Assert.Equal(3, svg.Split("<rect x=", StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public void Without_data_the_chart_says_so()
    {
        Assert.Contains("no data", SvgChart.StepCdf(new ChartAxis("ms"), [("skylark", [])]), StringComparison.Ordinal);
        Assert.Contains("no data", SvgChart.Bars(new ChartAxis("MB"), [], []), StringComparison.Ordinal);
    }

    [Fact]
    public void A_standalone_file_names_the_SVG_namespace_the_inline_chart_leaves_out()
    {
        var svg = SvgChart.Lines(new ChartAxis("x"), new ChartAxis("y"), [new ChartSeries("a", [new(1, 1), new(2, 3)])]);

        Assert.DoesNotContain("xmlns", svg, StringComparison.Ordinal);
        Assert.StartsWith("<?xml", SvgChart.Standalone(svg), StringComparison.Ordinal);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" ", SvgChart.Standalone(svg), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_data_renders_the_same_bytes()
    {
        static string Render() => SvgChart.StepCdf(new ChartAxis("ms"), [("a", [3.25, 1, 2]), ("b", [4, 5])]);

        Assert.Equal(Render(), Render());
    }
}
