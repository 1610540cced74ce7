using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

/// <summary>The legacy <c>spec.filter.attributes</c> of a Trigger.</summary>
public class AttributesFilterTests
{
    [Fact]
    public void Passes_when_every_listed_attribute_equals_its_value()
    {
        Assert.Equal(FilterResult.Pass, new AttributesFilter(Map(("type", FrameType), ("source", FrameSource))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_one_value_differs()
    {
        Assert.Equal(FilterResult.Fail, new AttributesFilter(Map(("type", FrameType), ("source", "https://other"))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_an_attribute_is_missing()
    {
        Assert.Equal(FilterResult.Fail, new AttributesFilter(Map(("region", "eu"))).Filter(Frame()));
    }

    [Fact]
    public void Matches_extension_attributes()
    {
        Assert.Equal(FilterResult.Pass, new AttributesFilter(Map(("node", "sat-1"))).Filter(Frame()));
    }

    [Fact]
    public void An_empty_value_accepts_any_present_non_empty_value()
    {
        Assert.Equal(FilterResult.Pass, new AttributesFilter(Map(("subject", ""), ("node", ""))).Filter(Frame()));
    }

    [Fact]
    public void An_empty_value_fails_when_the_attribute_is_absent()
    {
        var frame = Frame();
        frame.Subject = null;

        Assert.Equal(FilterResult.Fail, new AttributesFilter(Map(("subject", ""))).Filter(frame));
        Assert.Equal(FilterResult.Fail, new AttributesFilter(Map(("region", ""))).Filter(frame));
    }

    [Fact]
    public void An_empty_value_fails_when_the_attribute_is_present_but_empty()
    {
        var frame = Frame();
        frame["node"] = "";

        Assert.Equal(FilterResult.Fail, new AttributesFilter(Map(("node", ""))).Filter(frame));
    }

    [Fact]
    public void Tests_nothing_when_no_attribute_is_listed()
    {
        Assert.Equal(FilterResult.NoFilter, new AttributesFilter(Map()).Filter(Frame()));
    }
}
