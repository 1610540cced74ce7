using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class ExactFilterTests
{
    [Fact]
    public void Passes_when_the_attribute_equals_the_value()
    {
        Assert.Equal(FilterResult.Pass, new ExactFilter(Map(("type", FrameType))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_value_differs()
    {
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("type", "io.skylark.camera"))).Filter(Frame()));
    }

    [Fact]
    public void Compares_case_sensitively()
    {
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("type", FrameType.ToUpperInvariant()))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_attribute_is_missing()
    {
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("dataschema", "https://example.com/schema"))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("region", "eu"))).Filter(Frame()));
    }

    [Fact]
    public void Matches_extension_attributes()
    {
        Assert.Equal(FilterResult.Pass, new ExactFilter(Map(("node", "sat-1"))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("node", "sat-2"))).Filter(Frame()));
    }

    [Fact]
    public void Compares_typed_attributes_by_their_canonical_string_form()
    {
        var cloudEvent = Frame();
        cloudEvent[CloudEventAttribute.CreateExtension("hops", CloudEventAttributeType.Integer)] = 3;
        cloudEvent[CloudEventAttribute.CreateExtension("urgent", CloudEventAttributeType.Boolean)] = true;

        var filter = new ExactFilter(Map(
            ("source", FrameSource),
            ("time", "2024-05-01T10:30:00Z"),
            ("specversion", "1.0"),
            ("hops", "3"),
            ("urgent", "true")));

        Assert.Equal(FilterResult.Pass, filter.Filter(cloudEvent));
    }

    [Fact]
    public void Requires_every_listed_attribute_to_match()
    {
        Assert.Equal(FilterResult.Pass, new ExactFilter(Map(("type", FrameType), ("node", "sat-1"))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new ExactFilter(Map(("type", FrameType), ("node", "sat-9"))).Filter(Frame()));
    }

    [Fact]
    public void Tests_nothing_when_no_attribute_is_listed()
    {
        Assert.Equal(FilterResult.NoFilter, new ExactFilter(Map()).Filter(Frame()));
    }

    [Theory]
    [InlineData("", "value", "empty attribute name")]
    [InlineData("type", "", "empty value")]
    public void Rejects_empty_attribute_names_and_values(string attribute, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ExactFilter(Map((attribute, value))));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
