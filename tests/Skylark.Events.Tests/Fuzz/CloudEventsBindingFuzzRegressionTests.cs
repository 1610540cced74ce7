using System.Text;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Fuzz;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Fuzz;

/// <summary>
/// Inputs afl-fuzz found for the HTTP reader. A structured-mode event whose Content-Type names a charset the runtime
/// refuses to decode (utf-7) escaped as NotSupportedException, a 500 instead of a 400; the MQTT binding decodes
/// structured mode the same way and had the same hole. A 0.3 structured event with a string that is not UTF-8, or a
/// datacontentencoding that is not a string, escaped the 0.3 mapping as InvalidOperationException.
/// </summary>
public sealed class CloudEventsBindingFuzzRegressionTests
{
    private const string Event = """{"specversion":"1.0","type":"t","id":"1","source":"/s"}""";

    [Fact]
    public void The_crashing_http_input_is_now_an_invalid_cloud_event()
    {
        var input = File.ReadAllBytes(RepositoryPaths.InRoot("fuzz", "corpus", "http", "crash-charset-utf7"));

        Assert.Throws<InvalidCloudEventException>(() => FuzzTargets.Find("http")!.Execute(input));
    }

    [Theory]
    [InlineData("crash-v03-not-utf8-0")]
    [InlineData("crash-v03-not-utf8-1")]
    [InlineData("crash-v03-not-utf8-2")]
    [InlineData("crash-v03-not-utf8-3")]
    public void The_crashing_v03_inputs_are_now_invalid_cloud_events(string seed)
    {
        var input = File.ReadAllBytes(RepositoryPaths.InRoot("fuzz", "corpus", "http", seed));

        Assert.Throws<InvalidCloudEventException>(() => FuzzTargets.Find("http")!.Execute(input));
    }

    [Theory]
    [InlineData("{\"specversion\":\"0.3\",\"type\":\"t\",\"id\":\"1\",\"source\":\"/s\",\"datacontentencoding\":5}")]
    [InlineData("{\"specversion\":\"0.3\",\"type\":\"t\",\"id\":\"1\",\"source\":\"/s\",\"datacontentencoding\":[\"base64\"]}")]
    public async Task A_v03_structured_event_whose_datacontentencoding_is_not_a_string_is_an_invalid_cloud_event(string body)
    {
        var request = new DefaultHttpContext().Request;
        request.ContentType = "application/cloudevents+json";
        request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));

        await Assert.ThrowsAsync<InvalidCloudEventException>(() => request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance));
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("no-such-charset")]
    public async Task A_structured_http_request_in_a_charset_that_cannot_be_decoded_is_an_invalid_cloud_event(string charset)
    {
        var request = new DefaultHttpContext().Request;
        request.ContentType = $"application/cloudevents+json; charset={charset}";
        request.Body = new MemoryStream(Encoding.UTF8.GetBytes(Event));

        var error = await Assert.ThrowsAsync<InvalidCloudEventException>(() => request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance));
        Assert.Contains("Structured-mode CloudEvent is invalid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("no-such-charset")]
    public void A_structured_mqtt_message_in_a_charset_that_cannot_be_decoded_is_an_invalid_cloud_event(string charset)
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(() => CloudEventsMqttBinding.ToCloudEvent(
            Encoding.UTF8.GetBytes(Event), $"application/cloudevents+json; charset={charset}", userProperties: null, RawDataJsonEventFormatter.Instance));
        Assert.Contains("Structured-mode CloudEvent is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_structured_event_in_utf_8_still_reads()
    {
        var cloudEvent = CloudEventsMqttBinding.ToCloudEvent(
            Encoding.UTF8.GetBytes(Event), "application/cloudevents+json; charset=utf-8", userProperties: null, RawDataJsonEventFormatter.Instance);

        Assert.Equal("1", cloudEvent.Id);
    }
}
