using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class PrefixFilterTests
{
    [Fact]
    public void Passes_when_the_attribute_starts_with_the_prefix()
    {
        Assert.Equal(FilterResult.Pass, new PrefixFilter(Map(("type", "io.skylark."))).Filter(Frame()));
    }

    [Fact]
    public void A_whole_value_is_its_own_prefix()
    {
        Assert.Equal(FilterResult.Pass, new PrefixFilter(Map(("type", FrameType))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_attribute_does_not_start_with_the_prefix()
    {
        Assert.Equal(FilterResult.Fail, new PrefixFilter(Map(("type", "dev.knative."))).Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new PrefixFilter(Map(("type", "IO.SKYLARK."))).Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_attribute_is_missing()
    {
        Assert.Equal(FilterResult.Fail, new PrefixFilter(Map(("region", "eu"))).Filter(Frame()));
    }

    [Fact]
    public void Matches_extension_attributes_and_uri_attributes()
    {
        Assert.Equal(FilterResult.Pass, new PrefixFilter(Map(("node", "sat-"))).Filter(Frame()));
        Assert.Equal(FilterResult.Pass, new PrefixFilter(Map(("source", "https://sat-1."))).Filter(Frame()));
    }

    [Fact]
    public void Requires_every_listed_prefix_to_match()
    {
        Assert.Equal(FilterResult.Fail, new PrefixFilter(Map(("type", "io.skylark."), ("node", "ground-"))).Filter(Frame()));
    }

    [Fact]
    public void Tests_nothing_when_no_attribute_is_listed()
    {
        Assert.Equal(FilterResult.NoFilter, new PrefixFilter(Map()).Filter(Frame()));
    }

    [Fact]
    public void Rejects_an_empty_prefix()
    {
        Assert.Throws<ArgumentException>(() => new PrefixFilter(Map(("type", ""))));
    }
}
