using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Alarm.Mqtt;

public sealed class MqttAlarmPublisherTests(Mosquitto mosquitto) : IClassFixture<Mosquitto>
{
    private static readonly AlarmNotice Notice = new(
        "cam-1",
        "cam-1-42-abcd",
        42,
        ["r1c2"],
        [new DetectedBox(10, 20, 30, 60), new DetectedBox(50, 20, 30, 60)],
        320,
        240,
        new DateTimeOffset(2026, 8, 9, 10, 11, 12, 345, TimeSpan.Zero),
        "cloud",
        StateRef.Parse("cloud/cam-1-42-abcd/detect.result"));

    private static MqttClientOptions Options(MqttConnection broker, MqttProtocolVersion version = MqttProtocolVersion.V500) =>
        broker.CreateClientOptions($"alarm-{Guid.NewGuid():N}").WithProtocolVersion(version).Build();

    private static async Task AssertAlarmReceivedAsync(MqttConnection broker)
    {
        await using var subscriber = await MqttProbe.ConnectAsync(broker, subscriptions: "alarms/#");
        await using var publisher = new MqttAlarmPublisher(Options(broker));

        await publisher.PublishAsync(Notice, CancellationToken.None);

        var received = await subscriber.NextAsync();
        Assert.Equal("alarms/cam-1", received.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, received.QualityOfService);
        Assert.Equal("application/json", received.ContentType);
        using (var json = JsonDocument.Parse(received.Payload))
        {
            var root = json.RootElement;
            Assert.Equal("cam-1", root.GetProperty("camera").GetString());
            Assert.Equal("cam-1-42-abcd", root.GetProperty("workflowId").GetString());
            Assert.Equal("r1c2", root.GetProperty("zones")[0].GetString());
            Assert.Equal(Notice.RaisedAt, root.GetProperty("raisedAt").GetDateTimeOffset());
            Assert.Equal(2, root.GetProperty("boxes").GetArrayLength());
            Assert.Equal("cloud/cam-1-42-abcd/detect.result", root.GetProperty("evidence").GetString());
        }

        // The same message is a binary-mode CloudEvent for subscribers that speak the CloudEvents MQTT binding.
        var alarm = CloudEventsMqttBinding.ToCloudEvent(received.Payload, received.ContentType, received.UserProperties, RawDataJsonEventFormatter.Instance);
        Assert.Equal((EventTypes.AlarmRaised, EventSources.Alarm), (alarm.Type, alarm.Source));
        Assert.Equal(("cam-1-42-abcd", "cam-1"), (alarm[ExtensionNames.WorkflowId], alarm[ExtensionNames.Camera]));
        Assert.Equal("cam-1-42-abcd", alarm.Id);
        Assert.Equal(Notice.RaisedAt, alarm.Time);
    }

    [Fact]
    public void The_message_is_the_notice_as_json_with_the_event_s_attributes_as_user_properties_in_order()
    {
        var message = MqttAlarmPublisher.ToMqttMessage(Notice);

        Assert.Equal(("alarms/cam-1", MqttQualityOfServiceLevel.AtLeastOnce, "application/json"), (message.Topic, message.QualityOfServiceLevel, message.ContentType));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Notice, ContractJson.Options), message.Payload.ToArray());
        Assert.Equal(
            new[]
            {
                ("specversion", "1.0"),
                ("id", "cam-1-42-abcd"),
                ("source", "/functions/alarm"),
                ("type", "io.skylark.alarm.raised"),
                ("time", "2026-08-09T10:11:12.345Z"),
                ("workflowid", "cam-1-42-abcd"),
                ("camera", "cam-1"),
            },
            message.UserProperties.Select(p => (p.Name, p.ReadValueAsString())));
    }

    [Fact]
    public void Over_mqtt_3_the_message_is_the_same_json_without_properties()
    {
        var message = MqttAlarmPublisher.ToMqttMessage(Notice, mqtt5: false);

        Assert.Equal(("alarms/cam-1", MqttQualityOfServiceLevel.AtLeastOnce), (message.Topic, message.QualityOfServiceLevel));
        Assert.Null(message.ContentType);
        Assert.Empty(message.UserProperties ?? []);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Notice, ContractJson.Options), message.Payload.ToArray());
    }

    [Fact]
    public async Task An_alarm_reaches_a_subscriber_of_the_embedded_server_as_json_on_the_camera_topic()
    {
        await using var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });

        await AssertAlarmReceivedAsync(server.Connection);
    }

    [Fact]
    public async Task An_alarm_reaches_a_subscriber_of_mosquitto_as_json_on_the_camera_topic()
    {
        await AssertAlarmReceivedAsync(mosquitto.Connection);
    }

    [Fact]
    public async Task Over_mqtt_3_the_alarm_is_the_plain_json_notice()
    {
        await using var subscriber = await MqttProbe.ConnectAsync(mosquitto.Connection, MqttProtocolVersion.V311, "alarms/#");
        await using var publisher = new MqttAlarmPublisher(Options(mosquitto.Connection, MqttProtocolVersion.V311));

        await publisher.PublishAsync(Notice with { Camera = "cam-3" }, CancellationToken.None);

        var received = await subscriber.NextAsync();
        Assert.Equal("alarms/cam-3", received.Topic);
        Assert.Empty(received.UserProperties);
        Assert.Equal("cam-3", JsonDocument.Parse(received.Payload).RootElement.GetProperty("camera").GetString());
    }

    [Fact]
    public async Task Publishing_with_nobody_listening_is_not_an_error_and_the_connection_is_reused()
    {
        await using var publisher = new MqttAlarmPublisher(Options(mosquitto.Connection));

        await publisher.PublishAsync(Notice with { Camera = "nobody-listens" }, CancellationToken.None);
        await publisher.PublishAsync(Notice with { Camera = "nobody-listens", Zones = ["r0c0"] }, CancellationToken.None);

        Assert.Equal("alarms/nobody-listens", MqttAlarmPublisher.TopicFor("nobody-listens"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("cam+")]
    public void A_camera_that_cannot_name_a_topic_is_refused(string camera)
    {
        Assert.Throws<ArgumentException>(() => MqttAlarmPublisher.ToMqttMessage(Notice with { Camera = camera }));
    }

    [Fact]
    public async Task An_unreachable_broker_is_a_clear_error()
    {
        // A port nothing listens on: started and stopped at once.
        var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });
        var gone = server.Connection;
        await server.StopAsync();
        await using var publisher = new MqttAlarmPublisher(Options(gone));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(Notice, CancellationToken.None));

        Assert.Contains("Could not connect to the MQTT broker", error.Message, StringComparison.Ordinal);
    }
}
