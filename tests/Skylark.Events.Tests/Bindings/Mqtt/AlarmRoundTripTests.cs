using CloudNative.CloudEvents;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Tests.CameraIngest;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Bindings.Mqtt;

/// <summary>
/// The alarm function encodes and the camera bridge decodes with the one CloudEvents MQTT binding: an alarm published
/// on the embedded MQTTnet server reaches a bridge subscribed to the alarm topics, which forwards it to a real Kestrel
/// sink as the very event the alarm function built.
/// </summary>
public sealed class AlarmRoundTripTests(RedisServer redis) : IClassFixture<RedisServer>
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
    public async Task An_alarm_published_on_mqtt_reaches_the_bridge_s_sink_as_the_event_the_alarm_function_built()
    {
        await using var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });
        await using var sink = await RecordingSink.StartAsync();
        var options = BridgeHarness.Options(server.Connection, sink.Url);
        options.EventsTopic = $"{MqttAlarmPublisher.TopicPrefix}/+";
        await using var bridge = await BridgeHarness.StartAsync(redis, options);
        await using var publisher = new MqttAlarmPublisher(server.Connection.CreateClientOptions($"alarm-{Guid.NewGuid():N}").Build());

        await publisher.PublishAsync(Notice, CancellationToken.None);

        var delivery = await sink.NextAsync();
        var built = MqttAlarmPublisher.ToCloudEvent(Notice);
        Assert.Equal(Attributes(built), Attributes(delivery.Event));
        Assert.Equal((byte[])built.Data!, (byte[])delivery.Event.Data!);
        Assert.Equal(Notice.RaisedAt, delivery.Event.Time);
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.EventsForwarded == 1);
        Assert.Equal(0, bridge.Bridge.Metrics.Rejected);
    }

    private static Dictionary<string, string> Attributes(CloudEvent cloudEvent) =>
        cloudEvent.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value));
}
