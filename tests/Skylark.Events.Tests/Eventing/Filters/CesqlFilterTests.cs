using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Filters.Cesql;
using static Skylark.Events.Tests.Eventing.Filters.FilterTestEvents;

namespace Skylark.Events.Tests.Eventing.Filters;

public class CesqlFilterTests
{
    [Fact]
    public void Passes_when_the_expression_is_true()
    {
        Assert.Equal(FilterResult.Pass, new CesqlFilter("type LIKE 'io.skylark.%' AND node = 'sat-1'").Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_expression_is_false()
    {
        Assert.Equal(FilterResult.Fail, new CesqlFilter("node = 'sat-2'").Filter(Frame()));
    }

    [Fact]
    public void Fails_when_the_expression_is_not_a_boolean()
    {
        Assert.Equal(FilterResult.Fail, new CesqlFilter("1 + 1").Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new CesqlFilter("'true'").Filter(Frame()));
    }

    [Fact]
    public void Fails_when_evaluation_reports_an_error_even_if_the_value_is_true()
    {
        // NOT 10: the implicit cast fails, the value is true, and the error must fail the filter (spec 1.2).
        Assert.Equal(FilterResult.Fail, new CesqlFilter("NOT 10").Filter(Frame()));
        Assert.Equal(FilterResult.Fail, new CesqlFilter("NOT (region = 'eu')").Filter(Frame()));
    }

    [Fact]
    public void Fails_when_an_attribute_is_missing()
    {
        Assert.Equal(FilterResult.Fail, new CesqlFilter("region = 'eu'").Filter(Frame()));
    }

    [Fact]
    public void Reads_typed_extension_attributes()
    {
        var cloudEvent = Frame();
        cloudEvent[CloudEventAttribute.CreateExtension("hops", CloudEventAttributeType.Integer)] = 3;

        Assert.Equal(FilterResult.Pass, new CesqlFilter("hops < 5 AND EXISTS node").Filter(cloudEvent));
    }

    [Fact]
    public void Tests_nothing_when_the_expression_is_empty()
    {
        Assert.Equal(FilterResult.NoFilter, new CesqlFilter("").Filter(Frame()));
    }

    [Fact]
    public void Rejects_an_invalid_expression_at_construction()
    {
        var error = Assert.Throws<CesqlParseException>(() => new CesqlFilter("type = "));
        Assert.Equal(7, error.Position);
    }

    [Fact]
    public void One_filter_serves_concurrent_events()
    {
        var filter = new CesqlFilter("LOWER(node) IN ('sat-1', 'sat-3') AND SUBSTRING(type, 1, 10) = 'io.skylark'");
        var results = new FilterResult[64];

        Parallel.For(0, results.Length, i =>
        {
            var cloudEvent = Frame();
            cloudEvent["node"] = $"SAT-{(i % 4) + 1}";
            results[i] = filter.Filter(cloudEvent);
        });

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 4 is 0 or 2 ? FilterResult.Pass : FilterResult.Fail, results[i]);
        }
    }
}
