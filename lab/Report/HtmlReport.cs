using System.Globalization;
using System.Text;

namespace Skylark.Events.Lab.Report;

/// <summary>One figure of a report: an id to link to, a title, the chart and a caption saying what was measured.</summary>
public sealed record ReportFigure(string Id, string Title, string Svg, string Caption);

/// <summary>
/// One self-contained HTML page of figures: inline CSS and inline SVG, no script, no external file or URL, so it can
/// be mailed, archived or opened from a CI artifact as it is.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly List<string> _intro = [];
    private readonly List<ReportFigure> _figures = [];

    public IReadOnlyList<ReportFigure> Figures => _figures;

    /// <summary>A paragraph under the title (escaped).</summary>
    public HtmlReport Paragraph(string text)
    {
        _intro.Add(text);
        return this;
    }

    public HtmlReport Add(ReportFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        _figures.Add(figure);
        return this;
    }

    public string ToHtml()
    {
        var c = CultureInfo.InvariantCulture;
        var html = new StringBuilder()
            .AppendLine("<!DOCTYPE html>")
            .AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .AppendLine(c, $"<title>{SvgChart.Escape(title)}</title>")
            .AppendLine("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
                + "figure{margin:2rem 0;border-top:1px solid #ddd;padding-top:1rem}figcaption{color:#555;font-size:.9rem;max-width:640px}"
                + "h2{font-size:1.1rem}nav li{margin:.2rem 0}svg{max-width:100%;height:auto}</style>")
            .AppendLine("</head><body>")
            .AppendLine(c, $"<h1>{SvgChart.Escape(title)}</h1>");
        foreach (var paragraph in _intro)
        {
            html.AppendLine(c, $"<p>{SvgChart.Escape(paragraph)}</p>");
        }

        html.AppendLine("<nav><ul>");
        foreach (var figure in _figures)
        {
            html.AppendLine(c, $"<li><a href=\"#{Id(figure.Id)}\">{SvgChart.Escape(figure.Title)}</a></li>");
        }

        html.AppendLine("</ul></nav>");
        foreach (var figure in _figures)
        {
            html.AppendLine(c, $"<figure id=\"{Id(figure.Id)}\"><h2>{SvgChart.Escape(figure.Title)}</h2>")
                .AppendLine(figure.Svg)
                .AppendLine(c, $"<figcaption>{SvgChart.Escape(figure.Caption)}</figcaption></figure>");
        }

        return html.AppendLine("</body></html>").ToString();
    }

    /// <summary>Writes the page through a temporary file, so a reader never sees half of it.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, ToHtml(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Each figure as an SVG file of its own, <c>&lt;id&gt;.svg</c> in <paramref name="directory"/>; returns the paths written.</summary>
    public async Task<IReadOnlyList<string>> WriteFiguresAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var figure in _figures)
        {
            var path = Path.Combine(directory, Id(figure.Id) + ".svg");
            await File.WriteAllTextAsync(path, SvgChart.Standalone(figure.Svg), cancellationToken);
            written.Add(path);
        }

        return written;
    }

    /// <summary>An id made of letters, digits and dashes: safe in an attribute and a fragment.</summary>
    public static string Id(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var id = new string([.. text.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-')]).Trim('-');
        return id.Length == 0 ? "figure" : id;
    }
}
