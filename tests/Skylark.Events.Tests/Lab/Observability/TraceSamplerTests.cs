using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Observability;

/// <summary>
/// The sampler alone, on a source of its own that no trace store listens to (stores listen to every
/// <c>Skylark.Events.*</c> source, and a span is recorded when any listener samples it).
/// </summary>
public sealed class TraceSamplerTests : IDisposable
{
    private readonly ActivitySource source = new($"TraceSamplerTests.{Guid.NewGuid():N}");
    private readonly List<ActivityListener> listeners = [];

    [Fact]
    public void New_traces_beyond_the_rate_are_not_recorded_until_the_bucket_refills()
    {
        var time = new FakeTimeProvider();
        var sampler = Listen(new TraceSampler(newTracesPerSecond: 3, time));

        var first = Enumerable.Range(0, 5).Select(_ => Root()).ToList();
        time.Advance(TimeSpan.FromSeconds(0.4));
        var later = Root();

        Assert.Equal([true, true, true, false, false], first.Select(a => a.Recorded));
        Assert.True(later.Recorded, "0.4 s at 3 a second buys one new trace");
        Assert.Equal(2, sampler.NotSampled);
    }

    [Fact]
    public void A_span_not_recorded_still_carries_its_context_flagged_not_sampled()
    {
        var time = new FakeTimeProvider();
        Listen(new TraceSampler(newTracesPerSecond: 1, time));
        Root();

        var unsampled = Root();

        Assert.False(unsampled.IsAllDataRequested);
        // What the next service parses: this span, with the sampled flag (01) clear.
        var carried = ActivityContext.Parse(unsampled.Id!, null);
        Assert.Equal(unsampled.SpanId, carried.SpanId);
        Assert.False(carried.TraceFlags.HasFlag(ActivityTraceFlags.Recorded), unsampled.Id);
    }

    [Fact]
    public void A_child_is_recorded_under_a_recorded_parent_and_not_started_under_one_that_is_not()
    {
        var time = new FakeTimeProvider();
        Listen(new TraceSampler(newTracesPerSecond: 1, time));
        var recorded = Root();
        var unrecorded = Root();

        var ofRecorded = Child(recorded.Context);
        var ofRemoteSampled = Child(ActivityContext.Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null));

        Assert.True(ofRecorded!.Recorded, "a recorded trace is kept whole");
        Assert.True(ofRemoteSampled!.Recorded, "a sampled remote parent is followed though the bucket is empty");
        // Nothing of a trace not recorded needs a span of its own: its events carry the root's context on.
        Assert.Null(Child(unrecorded.Context));
        Assert.Null(Child(ActivityContext.Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null)));
    }

    [Fact]
    public void Without_a_rate_every_trace_is_recorded()
    {
        var sampler = Listen(new TraceSampler(newTracesPerSecond: null, new FakeTimeProvider()));

        Assert.All(Enumerable.Range(0, 1_000).Select(_ => Root()), a => Assert.True(a.Recorded));
        Assert.Equal(0, sampler.NotSampled);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_not_a_positive_number_is_refused(double rate) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new TraceSampler(rate));

    public void Dispose()
    {
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }

        source.Dispose();
    }

    private TraceSampler Listen(TraceSampler sampler)
    {
        var listener = new ActivityListener { ShouldListenTo = s => s == source, Sample = sampler.Sample };
        ActivitySource.AddActivityListener(listener);
        listeners.Add(listener);
        return sampler;
    }

    private Activity Root()
    {
        var activity = RootSpans.Start(source);
        Assert.NotNull(activity);
        activity.Stop();
        return activity;
    }

    private Activity? Child(ActivityContext parent)
    {
        var activity = source.StartActivity("child", ActivityKind.Internal, parent);
        activity?.Stop();
        return activity;
    }
}
