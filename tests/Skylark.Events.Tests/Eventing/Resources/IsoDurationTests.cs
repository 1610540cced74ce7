using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class IsoDurationTests
{
    [Theory]
    [InlineData("PT0.2S", 200)]
    [InlineData("PT1M", 60_000)]
    [InlineData("PT1H30M", 5_400_000)]
    [InlineData("P1D", 86_400_000)]
    [InlineData("P2W", 1_209_600_000)]
    [InlineData("PT0S", 0)]
    [InlineData("-PT1S", -1000)]
    public void Parses_iso8601_durations(string text, long milliseconds)
    {
        Assert.True(IsoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
        Assert.Equal(duration, IsoDuration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PT")]
    [InlineData("1s")]
    [InlineData("200ms")]
    [InlineData(" PT1S")]
    [InlineData("P1.5W")]
    [InlineData(null)]
    public void Rejects_what_is_not_an_iso8601_duration(string? text)
    {
        Assert.False(IsoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(200, "PT0.2S")]
    [InlineData(60_000, "PT1M")]
    [InlineData(5_400_000, "PT1H30M")]
    [InlineData(86_400_000, "P1D")]
    [InlineData(1_209_600_000, "P14D")]
    [InlineData(0, "PT0S")]
    [InlineData(-1000, "-PT1S")]
    public void Formats_as_iso8601_with_days_as_the_largest_unit(long milliseconds, string text)
    {
        Assert.Equal(text, IsoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(1_234_567L)]
    [InlineData(36_000_000_001L)]
    [InlineData(400L * TimeSpan.TicksPerDay + 1)]
    public void Formats_what_parse_reads_back_to_the_tick(long ticks)
    {
        var duration = TimeSpan.FromTicks(ticks);

        Assert.Equal(duration, IsoDuration.Parse(IsoDuration.Format(duration)));
    }

    [Fact]
    public void Parse_throws_a_format_exception_naming_the_text()
    {
        var exception = Assert.Throws<FormatException>(() => IsoDuration.Parse("soon"));

        Assert.Contains("'soon'", exception.Message, StringComparison.Ordinal);
    }
}
