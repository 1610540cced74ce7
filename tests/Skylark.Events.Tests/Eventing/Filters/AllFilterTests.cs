using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class AllFilterTests
{
    public static TheoryData<string, FilterResult> Combinations => new()
    {
        { "", FilterResult.NoFilter },
        { "P", FilterResult.Pass },
        { "F", FilterResult.Fail },
        { "N", FilterResult.NoFilter },
        { "PP", FilterResult.Pass },
        { "PF", FilterResult.Fail },
        { "FP", FilterResult.Fail },
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
    public void Is_the_conjunction_of_its_filters_where_no_filter_is_neutral(string members, FilterResult expected)
    {
        Assert.Equal(expected, new AllFilter(Build(members)).Filter(Frame()));
    }

    [Fact]
    public void Nests()
    {
        var filter = new AllFilter([Passing(), new AllFilter([Passing(), Failing()])]);

        Assert.Equal(FilterResult.Fail, filter.Filter(Frame()));
    }

    [Fact]
    public void Stops_at_the_first_failure()
    {
        var probe = new CountingFilter();

        Assert.Equal(FilterResult.Fail, new AllFilter([Failing(), probe]).Filter(Frame()));
        Assert.Equal(0, probe.Calls);
    }

    internal static IEventFilter[] Build(string members) =>
        [.. members.Select(m => m switch { 'P' => Passing(), 'F' => Failing(), _ => Testing_nothing() })];

    private sealed class CountingFilter : IEventFilter
    {
        public int Calls { get; private set; }

        public FilterResult Filter(CloudNative.CloudEvents.CloudEvent cloudEvent)
        {
            Calls++;
            return FilterResult.Pass;
        }
    }
}
