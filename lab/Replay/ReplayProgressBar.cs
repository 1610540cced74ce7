using System.Diagnostics;
using System.Globalization;

namespace Skylark.Events.Lab.Replay;

/// <summary>A one-line progress bar redrawn in place (carriage return), at most ten times a second; for a terminal only.</summary>
public sealed class ReplayProgressBar(TextWriter terminal) : IProgress<ReplayProgress>, IDisposable
{
    private const int Width = 30;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private long lastDrawn;
    private ReplayProgress latest;
    private bool drawn;

    public void Report(ReplayProgress value)
    {
        lock (gate)
        {
            latest = value;
            if (drawn && Stopwatch.GetElapsedTime(lastDrawn) < Interval && value.Done != value.Total)
            {
                return;
            }

            Draw();
        }
    }

    /// <summary>The line for <paramref name="progress"/>, e.g. <c>[#######.......]  512/1000  51%  accepted 510, not 2</c>.</summary>
    public static string Render(ReplayProgress progress)
    {
        var counts = string.Create(CultureInfo.InvariantCulture, $"accepted {progress.Accepted}, not {progress.NotAccepted}");
        if (progress.Total is not { } total || total <= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{progress.Done} event(s)  {counts}");
        }

        var fraction = Math.Clamp((double)progress.Done / total, 0, 1);
        var filled = (int)Math.Round(fraction * Width);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {progress.Done}/{total} {fraction * 100,3:0}%  {counts}");
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (drawn)
            {
                Draw();
                terminal.WriteLine();
                terminal.Flush();
            }
        }
    }

    private void Draw()
    {
        terminal.Write("\r" + Render(latest));
        terminal.Flush();
        lastDrawn = Stopwatch.GetTimestamp();
        drawn = true;
    }
}
