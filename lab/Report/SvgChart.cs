using System.Globalization;
using System.Net;
using System.Text;

namespace Skylark.Events.Lab.Report;

public enum AxisScale
{
    Linear,

    /// <summary>Decades; values ≤ 0 are left out (they have no place on it).</summary>
    Log10,
}

/// <summary>One axis: its label, scale and, when given, fixed bounds (otherwise rounded out from the data).</summary>
public sealed record ChartAxis(string Label, AxisScale Scale = AxisScale.Linear, double? Min = null, double? Max = null, bool IncludeZero = false);

public readonly record struct ChartPoint(double X, double Y);

/// <summary>A named line; <see cref="Dashed"/> sets a reference apart from the measured series.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

/// <summary>One bar per category, in the order of the chart's categories.</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values);

/// <summary>
/// A small, deterministic SVG plotter for the benchmark and demo reports: lines, step CDFs and grouped horizontal bars
/// with ticked axes and a legend. Numbers are written in the invariant culture, so a report reads the same on every
/// machine; the SVG has no <c>xmlns</c> (inline in HTML5 it needs none, and the report must name no URL), see
/// <see cref="Standalone"/> for a file of its own.
/// </summary>
public static class SvgChart
{
    public const int Width = 640;
    public const int Height = 360;
    public const int Left = 72;
    public const int Right = 168;
    public const int Top = 16;
    public const int Bottom = 52;

    private const int BarHeight = 9;
    private const int BarGroupGap = 10;
    private const int BarLabelWidth = 150;

    /// <summary>Colours by series index: callers keep modes in one order so a mode has one colour in every figure.</summary>
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Lines through the points of each series, with a marker on each point.</summary>
    public static string Lines(ChartAxis x, ChartAxis y, IReadOnlyList<ChartSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Plot(x, y, series, markers: true);
    }

    /// <summary>Empirical CDF per series: the fraction of samples at or below each latency, as steps.</summary>
    public static string StepCdf(ChartAxis x, IReadOnlyList<(string Name, IReadOnlyList<double> Samples)> series, string yLabel = "fraction ≤ x")
    {
        ArgumentNullException.ThrowIfNull(series);
        var lines = series.Select(s => new ChartSeries(s.Name, CdfSteps(s.Samples))).ToList();
        return Plot(x, new ChartAxis(yLabel, Min: 0, Max: 1), lines, markers: false);
    }

    /// <summary>
    /// The step outline of the empirical CDF of <paramref name="samples"/> (NaN and infinities left out): up by 1/n at
    /// each sorted sample, flat in between, from (first, 0) to (last, 1).
    /// </summary>
    public static IReadOnlyList<ChartPoint> CdfSteps(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Where(double.IsFinite).Order().ToArray();
        var points = new List<ChartPoint>(sorted.Length * 2);
        for (var i = 0; i < sorted.Length; i++)
        {
            points.Add(new ChartPoint(sorted[i], (double)i / sorted.Length));
            points.Add(new ChartPoint(sorted[i], (double)(i + 1) / sorted.Length));
        }

        return points;
    }

    /// <summary>Grouped horizontal bars: one group per category (labelled on the left), one bar per series; the height grows with the categories.</summary>
    public static string Bars(ChartAxis value, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var group = (series.Count * BarHeight) + BarGroupGap;
        var plotHeight = Math.Max(group * Math.Max(categories.Count, 1), 60);
        var height = Top + plotHeight + Bottom;
        var left = BarLabelWidth;
        var values = series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && (value.Scale == AxisScale.Linear || v > 0)).ToList();
        var scale = Scale.Of(value with { IncludeZero = value.Scale == AxisScale.Linear }, values, left, Width - Right);
        var svg = Open(height);
        if (categories.Count == 0 || values.Count == 0)
        {
            return NoData(svg, left, height);
        }

        foreach (var tick in scale.Ticks)
        {
            var px = scale.Map(tick);
            svg.Append(C, $"<line x1=\"{N(px)}\" y1=\"{Top}\" x2=\"{N(px)}\" y2=\"{Top + plotHeight}\" stroke=\"#e5e5e5\"/>");
            svg.Append(C, $"<text x=\"{N(px)}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\">{Escape(FormatTick(tick))}</text>");
        }

        svg.Append(C, $"<line x1=\"{left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>");
        svg.Append(C, $"<line x1=\"{left}\" y1=\"{Top}\" x2=\"{left}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>");
        svg.Append(C, $"<text x=\"{(left + Width - Right) / 2}\" y=\"{Top + plotHeight + 38}\" text-anchor=\"middle\">{Escape(value.Label)}</text>");
        var origin = scale.Map(scale.Min);
        for (var c = 0; c < categories.Count; c++)
        {
            var y0 = Top + (c * group) + (BarGroupGap / 2);
            svg.Append(C, $"<text x=\"{left - 6}\" y=\"{N(y0 + (series.Count * BarHeight / 2.0) + 4)}\" text-anchor=\"end\">{Escape(categories[c])}</text>");
            for (var s = 0; s < series.Count; s++)
            {
                var v = c < series[s].Values.Count ? series[s].Values[c] : double.NaN;
                if (!double.IsFinite(v) || (value.Scale == AxisScale.Log10 && v <= 0))
                {
                    continue;
                }

                var end = scale.Map(v);
                svg.Append(C, $"<rect x=\"{N(origin)}\" y=\"{y0 + (s * BarHeight)}\" width=\"{N(Math.Max(end - origin, 0.5))}\" height=\"{BarHeight - 1}\" fill=\"{Colour(s)}\"><title>{Escape($"{series[s].Name} {categories[c]}: {FormatTick(v)}")}</title></rect>");
            }
        }

        Legend(svg, series.Select(s => (s.Name, false)).ToList());
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The chart as a file of its own (an image in a Markdown page): with its namespace and a white background.</summary>
    public static string Standalone(string svg)
    {
        ArgumentNullException.ThrowIfNull(svg);
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.Replace("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", StringComparison.Ordinal) + "\n";
    }

    /// <summary>About five round ticks (1, 2 or 5 × 10^k apart) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static IReadOnlyList<double> NiceTicks(double min, double max, int target = 5)
    {
        if (!(max > min))
        {
            return [min];
        }

        var step = NiceStep((max - min) / target);
        var ticks = new List<double>();
        for (var k = Math.Ceiling((min / step) - 1e-9); k * step <= max + (step * 1e-9); k++)
        {
            // + 0.0 turns a negative zero (from a bound of 0 divided and rounded) into the 0 it labels.
            ticks.Add(Math.Round(k * step, 12) + 0.0);
        }

        return ticks;
    }

    /// <summary>A tick's label: thousands separated above 10,000, no trailing zeros, invariant culture.</summary>
    public static string FormatTick(double value) =>
        value == 0 ? "0"
        : Math.Abs(value) >= 10_000 ? value.ToString("#,0", C)
        : Math.Abs(value) >= 1 ? value.ToString("0.##", C)
        : value.ToString("0.####", C);

    /// <summary>Text for an SVG or HTML element or attribute.</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Plot(ChartAxis x, ChartAxis y, IReadOnlyList<ChartSeries> series, bool markers)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var points = series.Select(s => s.Points.Where(p => Fits(x, p.X) && Fits(y, p.Y)).ToList()).ToList();
        var all = points.SelectMany(p => p).ToList();
        var svg = Open(Height);
        if (all.Count == 0)
        {
            return NoData(svg, Left, Height);
        }

        var xs = Scale.Of(x, all.Select(p => p.X).ToList(), Left, Width - Right);
        var ys = Scale.Of(y, all.Select(p => p.Y).ToList(), Height - Bottom, Top);
        foreach (var tick in xs.Ticks)
        {
            var px = xs.Map(tick);
            svg.Append(C, $"<line x1=\"{N(px)}\" y1=\"{Top}\" x2=\"{N(px)}\" y2=\"{Height - Bottom}\" stroke=\"#e5e5e5\"/>");
            svg.Append(C, $"<text x=\"{N(px)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Escape(FormatTick(tick))}</text>");
        }

        foreach (var tick in ys.Ticks)
        {
            var py = ys.Map(tick);
            svg.Append(C, $"<line x1=\"{Left}\" y1=\"{N(py)}\" x2=\"{Width - Right}\" y2=\"{N(py)}\" stroke=\"#e5e5e5\"/>");
            svg.Append(C, $"<text x=\"{Left - 6}\" y=\"{N(py + 4)}\" text-anchor=\"end\">{Escape(FormatTick(tick))}</text>");
        }

        svg.Append(C, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        svg.Append(C, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        svg.Append(C, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - Bottom + 38}\" text-anchor=\"middle\">{Escape(x.Label)}</text>");
        svg.Append(C, $"<text transform=\"translate(16 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(y.Label)}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            if (points[s].Count == 0)
            {
                continue;
            }

            var coordinates = string.Join(" ", points[s].Select(p => $"{N(xs.Map(p.X))},{N(ys.Map(p.Y))}"));
            var dash = series[s].Dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(C, $"<polyline fill=\"none\" stroke=\"{Colour(s)}\" stroke-width=\"2\"{dash} points=\"{coordinates}\"><title>{Escape(series[s].Name)}</title></polyline>");
            if (markers)
            {
                foreach (var p in points[s])
                {
                    svg.Append(C, $"<circle cx=\"{N(xs.Map(p.X))}\" cy=\"{N(ys.Map(p.Y))}\" r=\"3\" fill=\"{Colour(s)}\"><title>{Escape($"{series[s].Name}: {FormatTick(p.X)}, {FormatTick(p.Y)}")}</title></circle>");
                }
            }
        }

        Legend(svg, series.Select(s => (s.Name, s.Dashed)).ToList());
        return svg.Append("</svg>").ToString();
    }

    private static bool Fits(ChartAxis axis, double value) => double.IsFinite(value) && (axis.Scale == AxisScale.Linear || value > 0);

    private static StringBuilder Open(int height) => new StringBuilder()
        .Append(C, $"<svg viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">")
        .Append(C, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"#fff\"/>");

    private static string NoData(StringBuilder svg, int left, int height) =>
        svg.Append(C, $"<text x=\"{(left + Width - Right) / 2}\" y=\"{height / 2}\" text-anchor=\"middle\">no data</text></svg>").ToString();

    private static void Legend(StringBuilder svg, IReadOnlyList<(string Name, bool Dashed)> entries)
    {
        var x = Width - Right + 16;
        for (var i = 0; i < entries.Count; i++)
        {
            var y = Top + 8 + (i * 18);
            var dash = entries[i].Dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(C, $"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 20}\" y2=\"{y}\" stroke=\"{Colour(i)}\" stroke-width=\"3\"{dash}/>");
            svg.Append(C, $"<text x=\"{x + 26}\" y=\"{y + 4}\">{Escape(entries[i].Name)}</text>");
        }
    }

    private static string Colour(int index) => Palette[index % Palette.Length];

    private static string N(double value) => value.ToString("0.##", C);

    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalised = raw / magnitude;
        return (normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10) * magnitude;
    }

    /// <summary>Maps values of one axis to pixels between <c>From</c> (at <c>Min</c>) and <c>To</c> (at <c>Max</c>).</summary>
    private sealed record Scale(AxisScale Kind, double Min, double Max, double From, double To, IReadOnlyList<double> Ticks)
    {
        public static Scale Of(ChartAxis axis, IReadOnlyList<double> values, double from, double to)
        {
            if (axis.Scale == AxisScale.Log10)
            {
                var low = axis.Min ?? Math.Pow(10, Math.Floor(Math.Log10(values.Count == 0 ? 1 : values.Min())));
                var high = axis.Max ?? Math.Pow(10, Math.Ceiling(Math.Log10(values.Count == 0 ? 10 : values.Max())));
                if (high <= low)
                {
                    high = low * 10;
                }

                var decades = new List<double>();
                for (var e = Math.Ceiling(Math.Log10(low) - 1e-9); e <= Math.Log10(high) + 1e-9; e++)
                {
                    decades.Add(Math.Pow(10, e));
                }

                return new Scale(AxisScale.Log10, low, high, from, to, decades);
            }

            var min = axis.Min ?? (values.Count == 0 ? 0 : values.Min());
            var max = axis.Max ?? (values.Count == 0 ? 1 : values.Max());
            if (axis.IncludeZero)
            {
                min = Math.Min(min, 0);
                max = Math.Max(max, 0);
            }

            if (max <= min)
            {
                max = min + (min == 0 ? 1 : Math.Abs(min));
            }

            // Bounds not given are rounded out to a tick, so the data never touches an unlabelled edge.
            var step = NiceStep((max - min) / 5);
            min = axis.Min ?? Math.Floor((min / step) + 1e-9) * step;
            max = axis.Max ?? Math.Ceiling((max / step) - 1e-9) * step;
            return new Scale(AxisScale.Linear, min, max, from, to, NiceTicks(min, max));
        }

        public double Map(double value)
        {
            var fraction = Kind == AxisScale.Log10
                ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
                : (value - Min) / (Max - Min);
            return From + (fraction * (To - From));
        }
    }
}
