using System.Buffers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Tests.Bindings.Mqtt;

public class CloudEventsMqttBindingTests
{
    private static readonly CloudEventFormatter Formatter = RawDataJsonEventFormatter.Instance;

    private static CloudEvent SampleEvent(object? data = null, string? dataContentType = "application/json")
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = "frame-42",
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            Type = "io.skylark.camera.frame",
            Time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero),
            Subject = "zone-a",
            DataContentType = dataContentType,
            Data = data ?? Encoding.UTF8.GetBytes("{\"camera\":\"cam-1\",\"seq\":42}"),
        };
        cloudEvent["workflowid"] = "cam-1-42";
        cloudEvent["statekey"] = "edge-1/cam-1-42/ingest.frame";
        return cloudEvent;
    }

    private static IReadOnlyList<MqttUserProperty> Properties(params (string Name, string Value)[] properties) =>
        properties.Select(p => MqttUserProperties.Create(p.Name, p.Value)).ToList();

    [Fact]
    public void Binary_mode_maps_attributes_to_user_properties_named_exactly_like_them_and_data_to_the_payload()
    {
        var message = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Binary, Formatter, "cameras/cam-1/events");

        Assert.Equal("cameras/cam-1/events", message.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.Equal("application/json", message.ContentType);
        var properties = message.UserProperties.ToDictionary(p => p.Name, p => p.ReadValueAsString());
        Assert.Equal("1.0", properties["specversion"]);
        Assert.Equal("frame-42", properties["id"]);
        Assert.Equal("/cameras/cam-1", properties["source"]);
        Assert.Equal("io.skylark.camera.frame", properties["type"]);
        Assert.Equal("2026-03-04T05:06:07.890Z", properties["time"]);
        Assert.Equal("zone-a", properties["subject"]);
        Assert.Equal("cam-1-42", properties["workflowid"]);
        Assert.Equal("edge-1/cam-1-42/ingest.frame", properties["statekey"]);
        Assert.False(properties.ContainsKey("datacontenttype"), "datacontenttype travels as the Content Type property");
        Assert.Equal("{\"camera\":\"cam-1\",\"seq\":42}", Encoding.UTF8.GetString(message.Payload.ToArray()));
    }

    [Fact]
    public void Binary_mode_round_trips_every_attribute_and_the_exact_data_bytes()
    {
        var original = SampleEvent();
        var message = CloudEventsMqttBinding.ToMqttMessage(original, ContentMode.Binary, Formatter, "t");

        var decoded = CloudEventsMqttBinding.ToCloudEvent(message, Formatter);

        AssertSameEvent(original, decoded);
        Assert.Equal((byte[])original.Data!, (byte[])decoded.Data!);
    }

    [Fact]
    public void Binary_mode_carries_a_jpeg_as_is()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0xFF, 0xD9];
        var original = SampleEvent(jpeg, "image/jpeg");

        var message = CloudEventsMqttBinding.ToMqttMessage(original, ContentMode.Binary, Formatter, "t");
        var decoded = CloudEventsMqttBinding.ToCloudEvent(message, Formatter);

        Assert.Equal("image/jpeg", message.ContentType);
        Assert.Equal(jpeg, message.Payload.ToArray());
        Assert.Equal(jpeg, (byte[])decoded.Data!);
        Assert.Equal("image/jpeg", decoded.DataContentType);
    }

    [Fact]
    public void Structured_mode_puts_the_json_event_in_the_payload_with_the_cloudevents_content_type()
    {
        var message = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Structured, Formatter, "t");

        Assert.StartsWith("application/cloudevents+json", message.ContentType, StringComparison.Ordinal);
        Assert.Empty(message.UserProperties ?? []);
        using var json = JsonDocument.Parse(message.Payload.ToArray());
        Assert.Equal("1.0", json.RootElement.GetProperty("specversion").GetString());
        Assert.Equal("frame-42", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("cam-1-42", json.RootElement.GetProperty("workflowid").GetString());
        Assert.Equal(42, json.RootElement.GetProperty("data").GetProperty("seq").GetInt32());
    }

    [Fact]
    public void Structured_mode_round_trips_every_attribute_and_the_data()
    {
        var original = SampleEvent();
        var message = CloudEventsMqttBinding.ToMqttMessage(original, ContentMode.Structured, Formatter, "t");

        var decoded = CloudEventsMqttBinding.ToCloudEvent(message, Formatter);

        AssertSameEvent(original, decoded);
        var data = Assert.IsType<JsonElement>(decoded.Data);
        Assert.Equal("cam-1", data.GetProperty("camera").GetString());
    }

    [Fact]
    public void Structured_mode_round_trips_binary_data_as_base64()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0x00, 0x01, 0xFF, 0xD9];
        var message = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(jpeg, "image/jpeg"), ContentMode.Structured, Formatter, "t");

        using (var json = JsonDocument.Parse(message.Payload.ToArray()))
        {
            Assert.Equal(Convert.ToBase64String(jpeg), json.RootElement.GetProperty("data_base64").GetString());
        }

        Assert.Equal(jpeg, (byte[])CloudEventsMqttBinding.ToCloudEvent(message, Formatter).Data!);
    }

    [Fact]
    public void Over_mqtt_3_structured_mode_is_the_json_event_alone_and_reads_back_as_such()
    {
        var original = SampleEvent();

        var message = CloudEventsMqttBinding.ToMqttMessage(original, ContentMode.Structured, Formatter, "t", protocolVersion: MqttProtocolVersion.V311);

        Assert.Null(message.ContentType);
        Assert.Empty(message.UserProperties ?? []);
        AssertSameEvent(original, CloudEventsMqttBinding.ToCloudEvent(message, Formatter));
    }

    [Fact]
    public void Over_mqtt_3_binary_mode_carries_only_the_data_because_attributes_have_nowhere_to_go()
    {
        var message = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Binary, Formatter, "t", protocolVersion: MqttProtocolVersion.V311);

        Assert.Null(message.ContentType);
        Assert.Empty(message.UserProperties ?? []);
        Assert.Equal("{\"camera\":\"cam-1\",\"seq\":42}", Encoding.UTF8.GetString(message.Payload.ToArray()));
        Assert.False(CloudEventsMqttBinding.IsCloudEvent(message));
    }

    [Fact]
    public void A_message_without_content_type_or_user_properties_is_read_as_structured_json_as_mqtt_3_implies()
    {
        var payload = """{"specversion":"1.0","id":"1","source":"/cameras/cam-9","type":"com.example.motion","data":{"x":1}}"""u8.ToArray();

        var decoded = CloudEventsMqttBinding.ToCloudEvent(payload, contentType: null, userProperties: null, Formatter);

        Assert.Equal("com.example.motion", decoded.Type);
        Assert.Equal("/cameras/cam-9", decoded.Source!.ToString());
    }

    [Fact]
    public void The_content_type_decides_the_mode_and_a_specversion_user_property_marks_binary_mode()
    {
        var plain = new MqttApplicationMessageBuilder().WithTopic("t").WithContentType("image/jpeg").WithPayload([1, 2]).Build();
        var binary = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Binary, Formatter, "t");
        var structured = CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Structured, Formatter, "t");

        Assert.False(CloudEventsMqttBinding.IsCloudEvent(plain));
        Assert.True(CloudEventsMqttBinding.IsCloudEvent(binary));
        Assert.True(CloudEventsMqttBinding.IsCloudEvent(structured));
    }

    [Fact]
    public void Binary_mode_accepts_datacontenttype_copied_into_a_user_property_as_the_binding_example_shows()
    {
        var properties = Properties(("specversion", "1.0"), ("id", "1"), ("source", "/s"), ("type", "t.t"), ("datacontenttype", "text/plain"));

        var decoded = CloudEventsMqttBinding.ToCloudEvent("hi"u8.ToArray(), "text/plain", properties, Formatter);

        Assert.Equal("text/plain", decoded.DataContentType);
    }

    [Fact]
    public void User_properties_that_cannot_be_attribute_names_belong_to_the_application_and_are_ignored()
    {
        var properties = Properties(("specversion", "1.0"), ("id", "1"), ("source", "/s"), ("type", "t.t"), ("capturedAt", "x"), ("deadletter-reason", "y"));

        var decoded = CloudEventsMqttBinding.ToCloudEvent(ReadOnlyMemory<byte>.Empty, null, properties, Formatter);

        Assert.Null(decoded["capturedat"]);
        Assert.Equal(new[] { "id", "source", "type" }, decoded.GetPopulatedAttributes().Select(a => a.Key.Name).Order());
    }

    [Theory]
    [InlineData("image/jpeg", null, "is not a CloudEvents format")]
    [InlineData("application/cloudevents+avro", null, "'application/cloudevents+avro' is not supported")]
    [InlineData("application/cloudevents-batch+json", null, "Batched CloudEvents")]
    [InlineData("application/cloudevents+json", "", "empty payload")]
    [InlineData("application/cloudevents+json", "{not json", "Structured-mode CloudEvent is invalid")]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"1","type":"t"}""", "Structured-mode CloudEvent is invalid")]
    public void Malformed_structured_or_unmarked_messages_are_refused_with_the_reason(string contentType, string? payload, string expected)
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent(Encoding.UTF8.GetBytes(payload ?? "{}"), contentType, null, Formatter));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_mode_without_required_attributes_names_the_missing_ones()
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent(ReadOnlyMemory<byte>.Empty, null, Properties(("specversion", "1.0"), ("id", "1")), Formatter));

        Assert.Contains("missing required attribute(s): source, type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_mode_refuses_an_unknown_spec_version()
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent(ReadOnlyMemory<byte>.Empty, null, Properties(("specversion", "9.9"), ("id", "1"), ("source", "/s"), ("type", "t")), Formatter));

        Assert.Contains("Unsupported CloudEvents specversion '9.9'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_mode_refuses_an_attribute_given_twice()
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent(ReadOnlyMemory<byte>.Empty, null, Properties(("specversion", "1.0"), ("id", "1"), ("id", "2"), ("source", "/s"), ("type", "t")), Formatter));

        Assert.Contains("'id' more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_mode_refuses_an_attribute_value_of_the_wrong_type()
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent(ReadOnlyMemory<byte>.Empty, null, Properties(("specversion", "1.0"), ("id", "1"), ("source", "/s"), ("type", "t"), ("time", "yesterday")), Formatter));

        Assert.Contains("attribute 'time' has an invalid value 'yesterday'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_mode_refuses_a_content_type_contradicting_the_datacontenttype_property()
    {
        var error = Assert.Throws<InvalidMqttCloudEventException>(
            () => CloudEventsMqttBinding.ToCloudEvent("x"u8.ToArray(), "text/plain", Properties(("specversion", "1.0"), ("id", "1"), ("source", "/s"), ("type", "t"), ("datacontenttype", "image/png")), Formatter));

        Assert.Contains("Content Type 'text/plain' but user property datacontenttype 'image/png'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoding_refuses_an_incomplete_event_and_a_wildcard_topic()
    {
        var incomplete = new CloudEvent { Id = "1", Type = "t" };

        Assert.Throws<InvalidOperationException>(() => CloudEventsMqttBinding.ToMqttMessage(incomplete, ContentMode.Binary, Formatter, "t"));
        Assert.Throws<ArgumentException>(() => CloudEventsMqttBinding.ToMqttMessage(SampleEvent(), ContentMode.Binary, Formatter, "cameras/+/events"));
    }

    private static void AssertSameEvent(CloudEvent expected, CloudEvent actual)
    {
        static Dictionary<string, string> Attributes(CloudEvent e) =>
            e.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value));

        Assert.Equal(Attributes(expected), Attributes(actual));
        Assert.Equal(expected.SpecVersion, actual.SpecVersion);
    }
}
