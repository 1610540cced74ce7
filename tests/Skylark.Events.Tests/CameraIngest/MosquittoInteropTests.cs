using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>The same bridge and binding against Debian's mosquitto, with messages from plain MQTTnet clients.</summary>
public sealed class MosquittoInteropTests(RedisServer redis, Mosquitto mosquitto) : IClassFixture<RedisServer>, IClassFixture<Mosquitto>, IAsyncLifetime
{
    private RecordingSink _sink = null!;

    public async Task InitializeAsync() => _sink = await RecordingSink.StartAsync();

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private Task<BridgeHarness> StartBridgeAsync() => BridgeHarness.StartAsync(redis, BridgeHarness.Options(mosquitto.Connection, _sink.Url));

    [Fact]
    public async Task A_raw_jpeg_published_through_mosquitto_is_stored_and_announced()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = new CameraPublisher(mosquitto.Connection);
        var frame = BridgeHarness.Frame("mosq-cam", 9);

        await camera.PublishAsync(frame);

        var announced = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "mosq-cam", frame.Jpeg.ToArray());
        Assert.Equal(frame.ToCameraFrame(), announced);
    }

    [Fact]
    public async Task A_structured_cloudevent_written_by_hand_and_published_by_a_plain_client_is_claim_checked()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = await MqttProbe.ConnectAsync(mosquitto.Connection);
        var jpeg = BridgeHarness.Frame("mosq-cam", 0, width: 96, height: 64).Jpeg.ToArray();
        var json = $$"""
            {
              "specversion": "1.0",
              "id": "hand-1",
              "source": "urn:camera:mosq-cam",
              "type": "io.skylark.camera.frame",
              "time": "2026-02-03T04:05:06Z",
              "seq": 21,
              "datacontenttype": "image/jpeg",
              "data_base64": "{{Convert.ToBase64String(jpeg)}}"
            }
            """;

        await camera.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("cameras/mosq-cam/events")
            .WithContentType("application/cloudevents+json; charset=utf-8")
            .WithPayload(Encoding.UTF8.GetBytes(json))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var frame = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "mosq-cam", jpeg);
        Assert.Equal((21L, 96, 64, new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero)), (frame.Seq, frame.Width, frame.Height, frame.CapturedAt));
    }

    [Fact]
    public async Task A_structured_cloudevent_of_another_type_from_an_mqtt_3_client_is_dead_lettered_not_forwarded()
    {
        await using var bridge = await StartBridgeAsync();
        await using var deadLetters = await MqttProbe.ConnectAsync(mosquitto.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(mosquitto.Connection, MqttProtocolVersion.V311);

        await camera.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("cameras/old-cam/events")
            .WithPayload("""{"specversion":"1.0","id":"v3-1","source":"/old","type":"com.example.tamper","data":{"level":3}}"""u8.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/old-cam", deadLetter.Topic);
        Assert.Contains("'com.example.tamper' is not accepted from a camera", deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty), StringComparison.Ordinal);
        Assert.Equal(0, _sink.Requests);
    }

    [Fact]
    public async Task An_invalid_frame_is_dead_lettered_through_mosquitto()
    {
        await using var bridge = await StartBridgeAsync();
        await using var deadLetters = await MqttProbe.ConnectAsync(mosquitto.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(mosquitto.Connection);

        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/mosq-cam/frames", [0xFF, 0xD8, 0xFF, 0xE0, 0x00]));

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/mosq-cam", deadLetter.Topic);
        Assert.Contains("truncated", deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_on_a_topic_with_an_empty_camera_level_is_dead_lettered_apart_through_mosquitto()
    {
        await using var bridge = await StartBridgeAsync();
        // The MQTT '+' wildcard matches an empty level too; the bridge's wide subscription (cameras/#) hears it on any broker.
        await using var deadLetters = await MqttProbe.ConnectAsync(mosquitto.Connection, subscriptions: "skylark/deadletter/#");
        var jpeg = BridgeHarness.Frame("x", 0).Jpeg.ToArray();

        await using var plain = await MqttProbe.ConnectAsync(mosquitto.Connection);
        await plain.PublishAsync(BridgeHarness.RawFrame("cameras//frames", jpeg));

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/_invalid", deadLetter.Topic);
        Assert.Equal(
            "topic 'cameras//frames' has an empty camera id where 'cameras/+/frames' has '+'",
            deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty));
        Assert.Equal(jpeg, deadLetter.Payload);
    }

    [Fact]
    public async Task Frames_held_while_the_sink_is_down_stay_with_mosquitto_and_reach_the_next_bridge_of_the_session()
    {
        await using var sink = await RecordingSink.StartAsync();
        sink.Down = true;
        var options = BridgeHarness.Options(mosquitto.Connection, sink.Url);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
        var frames = Enumerable.Range(0, 3).Select(seq => BridgeHarness.Frame("held-cam", seq, width: 96, height: 64)).ToList();
        await using (var first = await BridgeHarness.StartAsync(redis, options))
        {
            await using var camera = new CameraPublisher(mosquitto.Connection);
            foreach (var frame in frames)
            {
                await camera.PublishAsync(frame);
            }

            await Poll.UntilAsync(() => first.Bridge.Unacknowledged == 3 && first.Bridge.Metrics.HeldForSink > 0, "the first bridge holds the 3 frames");
            Assert.Equal(0, first.Bridge.Metrics.DeadLettered);
        }

        // Stopped without acknowledging: mosquitto kept the messages for the session and delivers them again.
        sink.Down = false;
        await using var second = await BridgeHarness.StartAsync(redis, options);

        var seqs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var delivery = await sink.NextAcceptedAsync();
            var seq = JsonSerializer.Deserialize<CameraFrame>((byte[])delivery.Event.Data!, ContractJson.Options)!.Seq;
            await second.AssertFrameEventAsync(delivery, "held-cam", frames[(int)seq].Jpeg.ToArray());
            seqs.Add(seq);
        }

        Assert.Equal([0, 1, 2], seqs.Order());
        await Poll.UntilAsync(() => second.Bridge.Unacknowledged == 0);
    }

    [Fact]
    public async Task The_bridge_reconnects_and_resubscribes_when_mosquitto_restarts()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var bridge = await BridgeHarness.StartAsync(redis, BridgeHarness.Options(broker.Connection, _sink.Url));

        await broker.RestartAsync();
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.Connections == 2);
        await using var camera = new CameraPublisher(broker.Connection);
        var frame = BridgeHarness.Frame("phoenix", 1);
        await camera.PublishAsync(frame);

        await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "phoenix", frame.Jpeg.ToArray());
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public async Task A_cloudevent_encoded_by_the_binding_survives_mosquitto_unchanged(ContentMode mode)
    {
        await using var subscriber = await MqttProbe.ConnectAsync(mosquitto.Connection, subscriptions: "interop/events");
        await using var publisher = await MqttProbe.ConnectAsync(mosquitto.Connection);
        var original = new CloudEvent
        {
            Id = "x-1",
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            Type = "io.skylark.camera.frame",
            Time = new DateTimeOffset(2026, 7, 8, 9, 10, 11, TimeSpan.Zero),
            DataContentType = "application/json",
            Data = """{"camera":"cam-1"}"""u8.ToArray(),
        };
        original["statekey"] = "edge-1/w-1/ingest.frame";

        await publisher.PublishAsync(CloudEventsMqttBinding.ToMqttMessage(original, mode, RawDataJsonEventFormatter.Instance, "interop/events"));

        var received = await subscriber.NextAsync();
        var decoded = CloudEventsMqttBinding.ToCloudEvent(received.Payload, received.ContentType, received.UserProperties, RawDataJsonEventFormatter.Instance);
        Assert.Equal(
            original.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value)),
            decoded.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value)));
    }
}
