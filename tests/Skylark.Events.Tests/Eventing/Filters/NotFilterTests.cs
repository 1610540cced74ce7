using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class NotFilterTests
{
    [Fact]
    public void Fails_what_its_filter_passes()
    {
        Assert.Equal(FilterResult.Fail, new NotFilter(Passing()).Filter(Frame()));
    }

    [Fact]
    public void Passes_what_its_filter_fails()
    {
        Assert.Equal(FilterResult.Pass, new NotFilter(Failing()).Filter(Frame()));
    }

    [Fact]
    public void Passes_events_missing_the_attribute_its_filter_needs()
    {
        Assert.Equal(FilterResult.Pass, new NotFilter(new ExactFilter(Map(("region", "eu")))).Filter(Frame()));
    }

    [Fact]
    public void Keeps_no_filter_as_no_filter()
    {
        Assert.Equal(FilterResult.NoFilter, new NotFilter(Testing_nothing()).Filter(Frame()));
        Assert.Equal(FilterResult.NoFilter, new NotFilter(new AllFilter([])).Filter(Frame()));
    }

    [Fact]
    public void Double_negation_restores_the_result()
    {
        Assert.Equal(FilterResult.Pass, new NotFilter(new NotFilter(Passing())).Filter(Frame()));
    }
}
