using System.Text;
using Skylark.Events.Broker.Delivery;

namespace Skylark.Events.Tests.Broker.Delivery;

public class DeadLetterAttributesTests
{
    private static readonly Uri Subscriber = new("http://detect.skylark.svc.cluster.local/");

    [Fact]
    public void A_failed_response_gives_destination_code_and_base64_body()
    {
        var extensions = DeadLetterAttributes.For(Subscriber, DeliveryAttempt.FailedResponse(422, "nope"u8.ToArray(), null, "x"));

        Assert.Equal(
            [
                new(DeadLetterAttributes.Destination, Subscriber.AbsoluteUri),
                new(DeadLetterAttributes.Code, "422"),
                new KeyValuePair<string, string>(DeadLetterAttributes.Data, Convert.ToBase64String("nope"u8)),
            ],
            extensions);
    }

    [Fact]
    public void An_empty_body_leaves_out_the_data()
    {
        var extensions = DeadLetterAttributes.For(Subscriber, DeliveryAttempt.FailedResponse(500, ReadOnlyMemory<byte>.Empty, null, "x"));

        Assert.DoesNotContain(extensions, e => e.Key == DeadLetterAttributes.Data);
    }

    [Fact]
    public void A_network_error_is_a_500_describing_the_dispatch_error()
    {
        var extensions = DeadLetterAttributes.For(Subscriber, DeliveryAttempt.NoResponse("Connection refused"));

        Assert.Equal("500", extensions.Single(e => e.Key == DeadLetterAttributes.Code).Value);
        Assert.Equal("dispatch error: Connection refused", Encoding.UTF8.GetString(Convert.FromBase64String(extensions.Single(e => e.Key == DeadLetterAttributes.Data).Value)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(100_000)]
    public void The_data_is_the_base64_of_at_most_1024_bytes_of_the_body(int bodyBytes)
    {
        var body = Enumerable.Range(0, bodyBytes).Select(i => (byte)i).ToArray();

        var decoded = Convert.FromBase64String(DeadLetterAttributes.EncodeData(body));

        Assert.Equal(body.AsSpan(0, Math.Min(bodyBytes, 1024)).ToArray(), decoded);
    }
}
