using System.Diagnostics;

namespace Skylark.Events.Tests.Support;

/// <summary>Spans started as the root of a trace of their own, whatever span is ambient where the test runs.</summary>
public static class RootSpans
{
    /// <summary>
    /// Starts <paramref name="name"/> on <paramref name="source"/> without a parent (StartActivity would take the ambient
    /// span as one) and leaves the ambient span as it was; null when no listener starts it.
    /// </summary>
    public static Activity? Start(ActivitySource source, string name = "root", ActivityKind kind = ActivityKind.Internal, DateTimeOffset startTime = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            return source.StartActivity(name, kind, parentContext: default, startTime: startTime);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }
}
