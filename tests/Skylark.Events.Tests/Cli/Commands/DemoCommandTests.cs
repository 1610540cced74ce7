using Skylark.Events.Cli.Commands;
using Skylark.Events.Lab.Up;

namespace Skylark.Events.Tests.Cli.Commands;

public sealed class DemoCommandTests
{
    [Theory]
    [InlineData("60s", 60)]
    [InlineData("2m", 120)]
    [InlineData("1m30s", 90)]
    [InlineData("1h", 3600)]
    [InlineData("45", 45)]
    [InlineData("0.5s", 0.5)]
    public void Durations_are_read_in_hours_minutes_seconds_or_plain_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DemoCommand.ParseDuration(text));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("10x", "unknown unit 'x'")]
    [InlineData("m", "not a duration")]
    [InlineData("10", null)]
    public void A_malformed_duration_says_what_is_wrong(string text, string? message)
    {
        if (message is null)
        {
            Assert.Equal(TimeSpan.FromSeconds(10), DemoCommand.ParseDuration(text));
            return;
        }

        var error = Assert.Throws<FormatException>(() => DemoCommand.ParseDuration(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("skylark", StateMode.Skylark)]
    [InlineData("ondemand", StateMode.OnDemand)]
    [InlineData("central", StateMode.Central)]
    [InlineData("databelt", StateMode.Databelt)]
    public void Modes_round_trip_through_their_command_line_names(string name, StateMode mode)
    {
        Assert.Equal(mode, StateModes.Parse(name));
        Assert.Equal(name, mode.Name());
    }

    [Fact]
    public void An_unknown_mode_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => StateModes.Parse("edge"));
        Assert.Contains("skylark, databelt, ondemand, central", error.Message, StringComparison.Ordinal);
    }
}
