using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class SuffixFilterTests
{
    [Fact]
    public void Passes_when_the_attribute_ends_with_the_suffix()
    {
        Assert.Equal(FilterResult.Pass, new SuffixFilter(Map(("type", ".frame"))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_attribute_does_not_end_with_the_suffix()
    {
        Assert.Equal(FilterResult.Fail, new SuffixFilter(Map(("type", ".alarm"))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new SuffixFilter(Map(("type", ".FRAME"))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_attribute_is_missing()
    {
        Assert.Equal(FilterResult.Fail, new SuffixFilter(Map(("dataschema", ".json"))).Filter(Frame()));
    }

    [Fact]
    public void Matches_extension_attributes()
    {
        Assert.Equal(FilterResult.Pass, new SuffixFilter(Map(("node", "-1"))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new SuffixFilter(Map(("node", "-2"))).Filter(Frame()));
    }

    [Fact]
    public void Tests_nothing_when_no_attribute_is_listed()
    {
        Assert.Equal(FilterResult.NoFilter, new SuffixFilter(Map()).Filter(Frame()));
    }

    [Fact]
    public void Rejects_an_empty_attribute_name()
    {
        Assert.Throws<ArgumentException>(() => new SuffixFilter(Map(("", ".frame"))));
    }
}
