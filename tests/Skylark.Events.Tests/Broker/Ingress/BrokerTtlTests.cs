using Skylark.Events.Broker.Ingress;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Ingress;

public class BrokerTtlTests
{
    [Theory]
    [InlineData(null, 255)]
    [InlineData(255, 254)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    public void The_ingress_defaults_then_decrements_the_ttl_never_below_zero(int? carried, int expected)
    {
        Assert.Equal(expected, BrokerTtl.OnArrival(carried));
    }

    [Fact]
    public void Taking_the_ttl_reads_its_string_form_and_removes_it()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent[BrokerTtl.ExtensionName] = "17";

        Assert.Equal(17, BrokerTtl.Take(cloudEvent));
        Assert.Null(cloudEvent[BrokerTtl.ExtensionName]);
    }

    [Fact]
    public void A_ttl_that_is_not_an_integer_counts_as_absent()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent[BrokerTtl.ExtensionName] = "many";

        Assert.Null(BrokerTtl.Take(cloudEvent));
        Assert.Equal(BrokerTtl.Default, BrokerTtl.OnArrival(null));
    }

    [Fact]
    public void An_integer_typed_ttl_is_read_too()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent[CloudNative.CloudEvents.CloudEventAttribute.CreateExtension(BrokerTtl.ExtensionName, CloudNative.CloudEvents.CloudEventAttributeType.Integer)] = 3;

        Assert.Equal(3, BrokerTtl.Take(cloudEvent));
    }

    [Fact]
    public void The_arrival_time_is_rfc3339_utc_and_replaces_an_earlier_stamp()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent[ArrivalTime.ExtensionName] = "yesterday";

        ArrivalTime.Stamp(cloudEvent, new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2)));

        Assert.Equal("2025-03-04T03:06:07.8900000Z", cloudEvent[ArrivalTime.ExtensionName]);
    }
}
