using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

public class BinaryModeRequestTests
{
    private static readonly Uri Target = new("http://127.0.0.1:9/");

    [Fact]
    public void Bytes_go_out_unchanged_even_when_the_content_type_is_json()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent.DataContentType = "application/json";
        cloudEvent.Data = "{ \"a\" : 1 }"u8.ToArray();

        Assert.Equal("{ \"a\" : 1 }"u8.ToArray(), BinaryModeRequest.EncodeData(cloudEvent).ToArray());
    }

    [Fact]
    public void Json_data_from_a_structured_event_is_serialized()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent.DataContentType = "application/json";
        cloudEvent.Data = JsonDocument.Parse("{\"a\":[1,2]}").RootElement;

        Assert.Equal("{\"a\":[1,2]}", Encoding.UTF8.GetString(BinaryModeRequest.EncodeData(cloudEvent).Span));
    }

    [Fact]
    public void Text_data_is_encoded_in_its_charset()
    {
        var cloudEvent = TestEvents.Create();
        cloudEvent.DataContentType = "application/xml; charset=utf-8";
        cloudEvent.Data = "<msg>🌎</msg>";

        Assert.Equal(Encoding.UTF8.GetBytes("<msg>🌎</msg>"), BinaryModeRequest.EncodeData(cloudEvent).ToArray());
    }

    [Fact]
    public void Attributes_become_ce_headers_and_extra_extensions_replace_the_events_own()
    {
        var cloudEvent = TestEvents.Create(id: "h-1");
        cloudEvent["knativeerrorcode"] = "500";
        cloudEvent["note"] = "ä b";

        using var request = BinaryModeRequest.Create(Target, cloudEvent, [new("knativeerrorcode", "422")]);

        Assert.Equal("1.0", request.Headers.GetValues("ce-specversion").Single());
        Assert.Equal("h-1", request.Headers.GetValues("ce-id").Single());
        Assert.Equal("422", request.Headers.GetValues("ce-knativeerrorcode").Single());
        Assert.Equal("%C3%A4%20b", request.Headers.GetValues("ce-note").Single());
        Assert.Equal("text/plain", request.Content!.Headers.ContentType!.MediaType);
        Assert.False(request.Headers.Contains("ce-datacontenttype"));
    }

    [Fact]
    public void An_event_without_data_sends_an_empty_body_without_content_type()
    {
        var cloudEvent = new CloudEvent { Id = "1", Type = "t", Source = new Uri("/s", UriKind.Relative) };

        using var request = BinaryModeRequest.Create(Target, cloudEvent, []);

        Assert.Equal(0, request.Content!.Headers.ContentLength);
        Assert.Null(request.Content.Headers.ContentType);
    }
}
