using Skylark.Events.Cli;
using Skylark.Events.Cli.Commands;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Tests.Cli.Commands;

public sealed class TraceRateOptionTests
{
    [Theory]
    [InlineData("100", 100.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("all", null)]
    [InlineData(" ALL ", null)]
    public void A_rate_is_a_positive_number_of_traces_a_second_or_all(string text, double? rate) =>
        Assert.Equal(rate, TraceRateOption.Parse(text));

    [Fact]
    public void Without_the_flag_the_stores_default_applies() =>
        Assert.Equal(TraceStore.DefaultNewTracesPerSecond, TraceRateOption.Parse(null));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("many")]
    [InlineData("Infinity")]
    public void Anything_else_says_what_is_accepted(string text)
    {
        var error = Assert.Throws<FormatException>(() => TraceRateOption.Parse(text));

        Assert.Equal($"--traces-per-second '{text}': use a positive number of traces a second, or 'all'.", error.Message);
    }

    [Theory]
    [InlineData("up")]
    [InlineData("demo")]
    public void Up_and_demo_take_the_flag(string command)
    {
        var root = SkylarkCommandLine.CreateRootCommand();

        Assert.Contains(root.Subcommands.Single(c => c.Name == command).Options, o => o.Name == "--traces-per-second");
    }
}
