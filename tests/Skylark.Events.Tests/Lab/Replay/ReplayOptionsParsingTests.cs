using Skylark.Events.Lab.Replay;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Replay;

public sealed class ReplayOptionsParsingTests
{
    [Theory]
    [InlineData("max", null)]
    [InlineData("MAX", null)]
    [InlineData("1x", 1.0)]
    [InlineData("10x", 10.0)]
    [InlineData("0.5x", 0.5)]
    [InlineData("3", 3.0)]
    public void Speeds_are_max_or_a_positive_factor(string text, double? factor) =>
        Assert.Equal(factor, ReplaySpeed.Parse(text).Factor);

    [Theory]
    [InlineData("0x")]
    [InlineData("-2x")]
    [InlineData("fast")]
    [InlineData("x")]
    public void Other_speeds_are_refused_with_the_accepted_forms(string text) =>
        Assert.Contains("use max, 1x", Assert.Throws<FormatException>(() => ReplaySpeed.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_speed_scales_recorded_gaps_and_max_never_waits()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), ReplaySpeed.Parse("4x").Scale(TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.Zero, ReplaySpeed.Max.Scale(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.Zero, ReplaySpeed.Parse("1x").Scale(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void A_filter_matches_an_attribute_or_extension_by_its_exact_string_form()
    {
        var frame = TestEvents.Create(type: "io.skylark.camera.frame");
        frame.SetAttributeFromString("camera", "cam-1");

        Assert.True(AttributeFilter.Parse("type=io.skylark.camera.frame").Matches(frame));
        Assert.True(AttributeFilter.Parse("camera=cam-1").Matches(frame));
        Assert.False(AttributeFilter.Parse("camera=cam-2").Matches(frame));
        Assert.False(AttributeFilter.Parse("subject=cam-1").Matches(frame));
        Assert.Equal(new AttributeFilter("type", "a=b"), AttributeFilter.Parse("type=a=b"));
    }

    [Theory]
    [InlineData("type")]
    [InlineData("=value")]
    public void A_filter_without_a_name_and_value_is_refused(string text) =>
        Assert.Contains("<attribute>=<value>", Assert.Throws<FormatException>(() => AttributeFilter.Parse(text)).Message, StringComparison.Ordinal);
}
