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

    [Fact]
    public void Parse_throws_a_format_exception_naming_the_text()
    {
        var exception = Assert.Throws<FormatException>(() => IsoDuration.Parse("soon"));

        Assert.Contains("'soon'", exception.Message, StringComparison.Ordinal);
    }
}
