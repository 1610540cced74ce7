using System.Diagnostics;
using System.Globalization;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// The live line of a demo run: frames, workflows/s over the last interval, share of local reads, alarms. On a terminal
/// it rewrites one line every second; redirected, it prints a line every five seconds.
/// </summary>
public sealed class DemoProgress(TextWriter output, WorkflowObserver observer, Stopwatch clock)
{
    private readonly bool _terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    private long _lastCompleted;
    private TimeSpan _lastTime;

    public TimeSpan Interval => _terminal ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);

    public void Print()
    {
        var now = clock.Elapsed;
        if (now - _lastTime < Interval * 0.9)
        {
            return;
        }

        var completed = observer.Completed;
        var rate = (completed - _lastCompleted) / Math.Max((now - _lastTime).TotalSeconds, 0.001);
        _lastCompleted = completed;
        _lastTime = now;
        var reads = observer.LocalReads + observer.WaitedReads + observer.RemoteReads;
        var local = reads == 0 ? "-" : ((double)(observer.LocalReads + observer.WaitedReads) / reads).ToString("P1", CultureInfo.InvariantCulture);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{now.TotalSeconds,4:0}s] frames {observer.Frames,5}  workflows {completed,5} done ({rate,5:0.0}/s)  failed {observer.Failed}  local reads {local,6}  alarms {observer.Alarms}");
        if (_terminal)
        {
            output.Write("\r" + line + "   ");
        }
        else
        {
            output.WriteLine(line);
        }
    }

    public void Finish()
    {
        if (_terminal)
        {
            output.WriteLine();
        }
    }
}
