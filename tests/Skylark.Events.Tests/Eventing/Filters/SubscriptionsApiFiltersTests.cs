using Skylark.Events.Eventing.Filters;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class SubscriptionsApiFiltersTests
{
    [Fact]
    public void Materialises_each_dialect()
    {
        Assert.IsType<ExactFilter>(SubscriptionsApiFilters.Create(new(Exact: Map(("type", FrameType)))));
        Assert.IsType<PrefixFilter>(SubscriptionsApiFilters.Create(new(Prefix: Map(("type", "io.")))));
        Assert.IsType<SuffixFilter>(SubscriptionsApiFilters.Create(new(Suffix: Map(("type", ".frame")))));
        Assert.IsType<AllFilter>(SubscriptionsApiFilters.Create(new(All: [])));
        Assert.IsType<AnyFilter>(SubscriptionsApiFilters.Create(new(Any: [])));
        Assert.IsType<NotFilter>(SubscriptionsApiFilters.Create(new(Not: new(Exact: Map(("type", FrameType))))));
        Assert.IsType<CesqlFilter>(SubscriptionsApiFilters.Create(new(Cesql: "TRUE")));
    }

    [Fact]
    public void Evaluates_nested_dialects()
    {
        var filter = SubscriptionsApiFilters.Create(new(All:
        [
            new(Prefix: Map(("type", "io.skylark."))),
            new(Any: [new(Exact: Map(("node", "sat-9"))), new(Cesql: "subject LIKE 'frames/%'")]),
            new(Not: new(Suffix: Map(("type", ".alarm")))),
        ]));

        Assert.Equal(FilterResult.Pass, filter.Filter(Frame()));
    }

    [Fact]
    public void An_item_without_a_dialect_tests_nothing()
    {
        Assert.Equal(FilterResult.NoFilter, SubscriptionsApiFilters.Create(new()).Filter(Frame()));
    }

    [Fact]
    public void Rejects_an_item_with_two_dialects()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SubscriptionsApiFilters.Create(new(Exact: Map(("type", FrameType)), Cesql: "TRUE")));

        Assert.Contains("exact, cesql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_nested_item_holding_an_invalid_expression()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SubscriptionsApiFilters.Create(new(Any: [new(Exact: Map(("type", FrameType))), new(Cesql: "type = ")])));

        Assert.StartsWith("filters.any[1].cesql:", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 7", error.Message, StringComparison.Ordinal);
    }
}
