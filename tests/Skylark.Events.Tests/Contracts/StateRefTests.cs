using System.Text.Json;
using Skylark.Events.Contracts;

namespace Skylark.Events.Tests.Contracts;

public class StateRefTests
{
    [Fact]
    public void Parses_the_three_segment_string_form()
    {
        var stateRef = StateRef.Parse("sat-1/wf_42/frame.jpeg");

        Assert.Equal("sat-1", stateRef.Node);
        Assert.Equal("wf_42", stateRef.WorkflowId);
        Assert.Equal("frame.jpeg", stateRef.Bundle);
        Assert.Equal("sat-1/wf_42/frame.jpeg", stateRef.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a/b", "2 segment(s)")]
    [InlineData("a/b/c/d", "4 segment(s)")]
    [InlineData("a//c", "workflow id segment")]
    [InlineData(".hidden/b/c", "node segment")]
    [InlineData("a/b/c d", "bundle segment")]
    [InlineData("a/b/ü", "bundle segment")]
    public void Rejects_malformed_strings_with_a_message_naming_the_problem(string value, string expected)
    {
        var error = Assert.Throws<FormatException>(() => StateRef.Parse(value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_segments_of_exactly_128_characters_and_rejects_129()
    {
        var ok = new string('a', 128);
        var tooLong = new string('a', 129);

        Assert.Equal(ok, StateRef.Parse($"n/{ok}/b").WorkflowId);
        Assert.False(StateRef.TryParse($"n/{tooLong}/b", out _, out _));
    }

    [Fact]
    public void Construction_validates_each_segment()
    {
        Assert.Throws<ArgumentException>(() => new StateRef("node", "wf", "../etc"));
    }

    [Fact]
    public void Round_trips_through_json_as_its_string_form()
    {
        var json = JsonSerializer.Serialize(new[] { StateRef.Parse("cloud/w1/model") });

        Assert.Equal("""["cloud/w1/model"]""", json);
        Assert.Equal(StateRef.Parse("cloud/w1/model"), JsonSerializer.Deserialize<StateRef[]>(json)![0]);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<StateRef>("\"bad ref\""));
    }

    [Fact]
    public void On_moves_the_reference_to_another_node()
    {
        Assert.Equal("sat-2/w/b", StateRef.Parse("sat-1/w/b").On("sat-2").ToString());
    }
}
