using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Benchmarks;

namespace Skylark.Events.Tests.Benchmarks;

public sealed class StepProgressTests
{
    [Fact]
    public void The_time_left_is_the_mean_time_per_completed_step_times_the_steps_left()
    {
        Assert.Equal(TimeSpan.FromMinutes(6), StepProgress.Remaining(TimeSpan.FromMinutes(2), 4, 16));
        Assert.Null(StepProgress.Remaining(TimeSpan.FromMinutes(2), 0, 16));
        Assert.Equal(TimeSpan.Zero, StepProgress.Remaining(TimeSpan.FromMinutes(2), 16, 16));
    }

    [Theory]
    [InlineData(0, "done")]
    [InlineData(41.2, "~42 s left")]
    [InlineData(330, "~6 min left")]
    [InlineData(5_340, "~89 min left")]
    [InlineData(9_000, "~2 h 30 min left")]
    public void The_estimate_is_rounded_up_in_a_readable_unit(double seconds, string expected) =>
        Assert.Equal(expected, StepProgress.Left(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Each_step_says_the_section_how_far_it_got_and_the_time_left()
    {
        var time = new FakeTimeProvider();
        var progress = new StepProgress("workflow", 48, time);

        time.Advance(TimeSpan.FromSeconds(30));
        var first = progress.Step();
        time.Advance(TimeSpan.FromMinutes(5.5));
        for (var i = 0; i < 10; i++)
        {
            progress.Step();
        }

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("[workflow 1/48, ~24 min left]", first);
        Assert.Equal("[workflow 12/48, ~20 min left]", progress.Step());
        Assert.Equal(12, progress.Completed);
    }
}
