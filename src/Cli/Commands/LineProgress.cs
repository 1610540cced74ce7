namespace Skylark.Events.Cli.Commands;

/// <summary>
/// Writes each report as an indented line at once: <see cref="Progress{T}"/> would post them to the thread pool, and
/// the lines of a start could then come out of order or after the start's own summary.
/// </summary>
internal sealed class LineProgress(TextWriter output) : IProgress<string>
{
    public void Report(string value) => output.WriteLine("  " + value);
}
