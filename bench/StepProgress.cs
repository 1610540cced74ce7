using System.Globalization;

namespace Skylark.Events.Benchmarks;

/// <summary>
/// Counts the steps of a long section (repetitions, batches) and estimates the time left from the time the completed
/// steps took on average, e.g. <c>[workflow 12/48, ~6 min left]</c>. The steps of a section differ in length, so the
/// estimate is rough early on and settles as steps complete.
/// </summary>
public sealed class StepProgress
{
    private readonly string _section;
    private readonly TimeProvider _time;
    private readonly long _started;

    public StepProgress(string section, int total, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        _section = section;
        _time = time;
        _started = time.GetTimestamp();
        Total = total;
    }

    public int Total { get; }

    public int Completed { get; private set; }

    /// <summary>Marks one step done and describes where the section stands.</summary>
    public string Step()
    {
        Completed = Math.Min(Completed + 1, Total);
        return Describe(_section, Completed, Total, _time.GetElapsedTime(_started));
    }

    /// <summary>Elapsed per completed step times the steps left; null before the first step completed (nothing to go by).</summary>
    public static TimeSpan? Remaining(TimeSpan elapsed, int completed, int total)
    {
        if (completed <= 0)
        {
            return null;
        }

        var left = Math.Max(total - completed, 0);
        return elapsed / completed * left;
    }

    public static string Describe(string section, int completed, int total, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"[{section} {completed}/{total}, {Left(Remaining(elapsed, completed, total))}]");

    /// <summary>Rounded up, so the estimate never promises less than it computed: seconds under a minute, then minutes, then hours.</summary>
    public static string Left(TimeSpan? remaining) => remaining switch
    {
        null => "estimating time left",
        { } r when r <= TimeSpan.Zero => "done",
        { TotalSeconds: < 60 } r => string.Create(CultureInfo.InvariantCulture, $"~{Math.Ceiling(r.TotalSeconds):0} s left"),
        { TotalMinutes: < 90 } r => string.Create(CultureInfo.InvariantCulture, $"~{Math.Ceiling(r.TotalMinutes):0} min left"),
        { } r => Hours((int)Math.Ceiling(r.TotalMinutes)),
    };

    private static string Hours(int minutes) => string.Create(CultureInfo.InvariantCulture, $"~{minutes / 60} h {minutes % 60} min left");
}
