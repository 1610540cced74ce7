using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class AnyFilterTests
{
    public static TheoryData<string, FilterResult> Combinations => new()
    {
        { "", FilterResult.NoFilter },
        { "P", FilterResult.Pass },
        { "F", FilterResult.Fail },
        { "N", FilterResult.NoFilter },
        { "PP", FilterResult.Pass },
        { "PF", FilterResult.Pass },
        { "FP", FilterResult.Pass },
        { "FF", FilterResult.Fail },
        { "PN", FilterResult.Pass },
        { "NP", FilterResult.Pass },
        { "FN", FilterResult.Fail },
        { "NF", FilterResult.Fail },
        { "NN", FilterResult.NoFilter },
    };

    // members: P = a passing filter, F = a failing one, N = one that tests nothing.
    [Theory]
    [MemberData(nameof(Combinations))]
    public void Is_the_disjunction_of_its_filters_where_no_filter_is_neutral(string members, FilterResult expected)
    {
        Assert.Equal(expected, new AnyFilter(AllFilterTests.Build(members)).Filter(Frame()));
    }

    [Fact]
    public void Nests()
    {
        var filter = new AnyFilter([Failing(), new AnyFilter([Failing(), Passing()])]);

        Assert.Equal(FilterResult.Pass, filter.Filter(Frame()));
    }

    [Fact]
    public void Combines_dialects_on_different_attributes()
    {
        var filter = new AnyFilter(
        [
            new ExactFilter(Map(("node", "sat-7"))),
            new PrefixFilter(Map(("subject", "frames/"))),
        ]);

        Assert.Equal(FilterResult.Pass, filter.Filter(Frame()));
    }
}
