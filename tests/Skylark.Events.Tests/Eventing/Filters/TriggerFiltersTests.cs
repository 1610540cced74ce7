using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class TriggerFiltersTests
{
    [Fact]
    public void A_trigger_without_filters_delivers_every_event()
    {
        var filter = TriggerFilters.Create(Trigger(attributes: null, filters: []));

        Assert.Equal(FilterResult.NoFilter, filter.Filter(Frame()));
        Assert.True(filter.Filter(Frame()).Delivers());
    }

    [Fact]
    public void Filter_attributes_apply_when_there_are_no_filters()
    {
        var matching = TriggerFilters.Create(Trigger(attributes: Map(("type", FrameType)), filters: []));
        var other = TriggerFilters.Create(Trigger(attributes: Map(("type", "io.skylark.alarm")), filters: []));

        Assert.Equal(FilterResult.Pass, matching.Filter(Frame()));
        Assert.Equal(FilterResult.Fail, other.Filter(Frame()));
        Assert.False(other.Filter(Frame()).Delivers());
    }

    [Fact]
    public void Filters_take_precedence_over_filter_attributes()
    {
        var trigger = Trigger(
            attributes: Map(("type", "io.skylark.alarm")),
            filters: [new(Exact: Map(("type", FrameType)))]);

        Assert.Equal(FilterResult.Pass, TriggerFilters.Create(trigger).Filter(Frame()));
    }

    [Fact]
    public void Every_filter_in_the_list_must_pass()
    {
        var trigger = Trigger(
            attributes: null,
            filters: [new(Prefix: Map(("type", "io.skylark."))), new(Exact: Map(("node", "sat-2")))]);

        Assert.Equal(FilterResult.Fail, TriggerFilters.Create(trigger).Filter(Frame()));
    }

    [Fact]
    public void Filters_that_test_nothing_deliver_the_event()
    {
        var trigger = Trigger(attributes: Map(("type", "io.skylark.alarm")), filters: [new(Cesql: ""), new()]);

        Assert.Equal(FilterResult.NoFilter, TriggerFilters.Create(trigger).Filter(Frame()));
    }

    [Fact]
    public void An_invalid_filter_is_reported_with_the_trigger_and_the_item()
    {
        var trigger = Trigger(attributes: null, filters: [new(Exact: Map(("type", FrameType))), new(Cesql: "type LIKE 5")]);

        var error = Assert.Throws<ArgumentException>(() => TriggerFilters.Create(trigger));

        Assert.StartsWith("Trigger default/frames: filters[1].cesql:", error.Message, StringComparison.Ordinal);
        Assert.Contains("LIKE pattern must be a string literal", error.Message, StringComparison.Ordinal);
    }

    private static TriggerResource Trigger(IReadOnlyDictionary<string, string>? attributes, IReadOnlyList<SubscriptionsApiFilter> filters) =>
        new(
            new ResourceMeta("frames", "default", new Dictionary<string, string>(), new Dictionary<string, string>()),
            "default",
            attributes,
            filters,
            new Destination(null, new Uri("http://127.0.0.1:9/")),
            null,
            new ResourceOrigin("trigger.yaml", 0));
}
