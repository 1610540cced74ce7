using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Bindings.Mqtt;

/// <summary>
/// The alarm function encodes and an operator's client decodes with the one CloudEvents MQTT binding: an alarm
/// published on the embedded MQTTnet server, with access control on, reaches the operator subscribed to
/// <c>alarms/#</c> as the very event the alarm function built.
/// </summary>
public sealed class AlarmRoundTripTests
{
    private static readonly AlarmNotice Notice = new(
        "cam-7",
        "cam-7-9-beef",
        9,
        ["r0c1", "r2c2"],
        [new DetectedBox(1, 2, 3, 4)],
        320,
        240,
        new DateTimeOffset(2026, 8, 9, 10, 11, 12, 345, TimeSpan.Zero).AddTicks(6789),
        "cloud",
        StateRef.Parse("cloud/cam-7-9-beef/detect.result"))
    {
        Snapshot = [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xD9],
    };

    [Fact]
    public async Task An_alarm_published_on_mqtt_reaches_an_operator_as_the_event_the_alarm_function_built()
    {
        var access = MqttAccessList.WithServices();
        await using var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0, Access = access });
        await using var operatorClient = await MqttProbe.ConnectAsync(access[MqttAccessList.OperatorUser].On(server.Connection), subscriptions: "alarms/#");
        await using var publisher = new MqttAlarmPublisher(access[MqttAccessList.AlarmUser].On(server.Connection).CreateClientOptions($"alarm-{Guid.NewGuid():N}").Build());

        await publisher.PublishAsync(Notice, CancellationToken.None);

        var received = await operatorClient.NextAsync();
        Assert.Equal("alarms/cam-7", received.Topic);
        var decoded = CloudEventsMqttBinding.ToCloudEvent(received.Payload, received.ContentType, received.UserProperties, RawDataJsonEventFormatter.Instance);
        var built = MqttAlarmPublisher.ToCloudEvent(Notice);
        Assert.Equal(Attributes(built), Attributes(decoded));
        Assert.Equal((byte[])built.Data!, (byte[])decoded.Data!);
        Assert.Equal(Notice.RaisedAt, decoded.Time);
    }

    private static Dictionary<string, string> Attributes(CloudEvent cloudEvent) =>
        cloudEvent.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value));
}
