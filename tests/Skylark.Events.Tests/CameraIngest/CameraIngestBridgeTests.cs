using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using MQTTnet;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>The bridge against the embedded MQTTnet server, a real redis-server and a real Kestrel sink.</summary>
public sealed class CameraIngestBridgeTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private EmbeddedMqttServer _server = null!;
    private RecordingSink _sink = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });
        _sink = await RecordingSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<BridgeHarness> StartBridgeAsync(Action<CameraIngestOptions>? configure = null)
    {
        var options = BridgeHarness.Options(_server.Connection, _sink.Url);
        configure?.Invoke(options);
        return BridgeHarness.StartAsync(redis, options);
    }

    [Fact]
    public async Task A_raw_jpeg_from_a_camera_is_stored_on_this_node_and_announced_with_its_state_ref()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = new CameraPublisher(_server.Connection);
        var frame = BridgeHarness.Frame("cam-1", seq: 5);

        await camera.PublishAsync(frame);

        var delivery = await _sink.NextAsync();
        var announced = await bridge.AssertFrameEventAsync(delivery, "cam-1", frame.Jpeg.ToArray());
        Assert.Equal(frame.ToCameraFrame(), announced);
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.FramesIngested == 1);
    }

    [Fact]
    public async Task A_camera_that_does_not_number_its_frames_gets_consecutive_seqs_and_its_size_from_the_jpeg()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);
        var jpeg = BridgeHarness.Frame("cam-2", 0, width: 96, height: 64).Jpeg.ToArray();
        var before = DateTimeOffset.UtcNow;

        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-2/frames", jpeg));
        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-2/frames", jpeg));

        var first = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-2", jpeg);
        var second = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-2", jpeg);
        Assert.Equal(new[] { 0L, 1L }, new[] { first.Seq, second.Seq }.Order());
        Assert.Equal((96, 64), (first.Width, first.Height));
        Assert.InRange(first.CapturedAt, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Each_frame_is_its_own_workflow()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = new CameraPublisher(_server.Connection);

        await camera.PublishAsync(BridgeHarness.Frame("cam-1", 0));
        await camera.PublishAsync(BridgeHarness.Frame("cam-1", 0));

        var first = (await _sink.NextAsync()).Event;
        var second = (await _sink.NextAsync()).Event;
        Assert.NotEqual(first[ExtensionNames.WorkflowId], second[ExtensionNames.WorkflowId]);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task The_sink_is_the_one_K_SINK_names_and_K_CE_OVERRIDES_extensions_are_added()
    {
        await using var boundSink = await RecordingSink.StartAsync();
        await using var bridge = await StartBridgeAsync(o => o.Environment = new Dictionary<string, string?>
        {
            ["K_SINK"] = boundSink.Url.ToString(),
            ["K_CE_OVERRIDES"] = """{"extensions":{"cluster":"edge-a"}}""",
        });
        await using var camera = new CameraPublisher(_server.Connection);
        var frame = BridgeHarness.Frame("cam-1", 1);

        await camera.PublishAsync(frame);

        var delivery = await boundSink.NextAsync();
        await bridge.AssertFrameEventAsync(delivery, "cam-1", frame.Jpeg.ToArray());
        Assert.Equal("edge-a", delivery.Event["cluster"]);
        Assert.True(bridge.Bridge.Binding!.FromEnvironment);
        Assert.Equal(0, _sink.Requests);
    }

    [Fact]
    public async Task A_payload_that_is_not_a_jpeg_goes_to_the_dead_letter_topic_with_the_reason_and_its_payload()
    {
        await using var bridge = await StartBridgeAsync();
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);

        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-1/frames", "hello"u8.ToArray(), ("seq", "3")));

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/cam-1", deadLetter.Topic);
        Assert.Equal("hello"u8.ToArray(), deadLetter.Payload);
        Assert.Contains("not a JPEG", deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty), StringComparison.Ordinal);
        Assert.Equal("cameras/cam-1/frames", deadLetter.UserProperty(CameraIngestBridge.DeadLetterTopicProperty));
        Assert.Equal("3", deadLetter.UserProperty("seq"));
        await Poll.UntilAsync(() => bridge.Bridge.Metrics is { Rejected: 1, DeadLettered: 1 });
        Assert.Equal(0, _sink.Requests);
    }

    [Fact]
    public async Task An_oversized_frame_is_dead_lettered_with_its_size_but_without_its_payload()
    {
        await using var bridge = await StartBridgeAsync(o => o.MaxFrameBytes = 1000);
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = new CameraPublisher(_server.Connection);
        var frame = BridgeHarness.Frame("cam-1", 0);
        Assert.True(frame.Jpeg.Length > 1000);

        await camera.PublishAsync(frame);

        var deadLetter = await deadLetters.NextAsync();
        Assert.Empty(deadLetter.Payload);
        Assert.Equal(frame.Jpeg.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), deadLetter.UserProperty(CameraIngestBridge.DeadLetterSizeProperty));
        Assert.Contains("over the limit (frames up to 1000 bytes)", deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_failing_for_a_while_gets_the_event_on_a_retry()
    {
        await using var flaky = await RecordingSink.StartAsync(503, 500);
        await using var bridge = await StartBridgeAsync(o => o.SinkUrl = flaky.Url);
        await using var camera = new CameraPublisher(_server.Connection);
        var frame = BridgeHarness.Frame("cam-1", 2);

        await camera.PublishAsync(frame);

        await bridge.AssertFrameEventAsync(await flaky.NextAcceptedAsync(), "cam-1", frame.Jpeg.ToArray());
        Assert.Equal((3, 2L), (flaky.Requests, bridge.Bridge.Metrics.SinkRetries));
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.FramesIngested == 1);
    }

    [Fact]
    public async Task A_sink_refusing_the_event_is_not_asked_again_and_the_frame_is_dead_lettered_with_its_answer()
    {
        await using var refusing = await RecordingSink.StartAsync(400);
        await using var bridge = await StartBridgeAsync(o => o.SinkUrl = refusing.Url);
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = new CameraPublisher(_server.Connection);
        var frame = BridgeHarness.Frame("cam-1", 4);

        await camera.PublishAsync(frame);

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal(frame.Jpeg.ToArray(), deadLetter.Payload);
        Assert.Equal("image/jpeg", deadLetter.ContentType);
        var reason = deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty);
        Assert.Contains("refused the event: HTTP 400", reason, StringComparison.Ordinal);
        Assert.Contains("scripted failure 400", reason, StringComparison.Ordinal);
        Assert.Equal((1, 1L), (refusing.Requests, bridge.Bridge.Metrics.SinkFailures));
    }

    [Fact]
    public async Task A_binary_mode_cloudevent_carrying_a_jpeg_is_claim_checked_like_a_raw_frame()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);
        var jpeg = BridgeHarness.Frame("cam-2", 0).Jpeg.ToArray();
        var capturedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var cameraEvent = new CloudEvent
        {
            Id = "shot-11",
            Source = new Uri("/smart-cameras/cam-2", UriKind.Relative),
            Type = "io.skylark.camera.frame",
            Time = capturedAt,
            DataContentType = "image/jpeg",
            Data = jpeg,
        };
        cameraEvent["seq"] = "11";

        await camera.PublishAsync(CloudEventsMqttBinding.ToMqttMessage(cameraEvent, ContentMode.Binary, RawDataJsonEventFormatter.Instance, "cameras/cam-2/events"));

        var frame = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-2", jpeg);
        Assert.Equal(new CameraFrame("cam-2", 11, 160, 120, capturedAt), frame);
    }

    [Theory]
    [InlineData("io.skylark.state.propagate", ContentMode.Binary)]
    [InlineData("io.skylark.function.completed", ContentMode.Structured)]
    [InlineData("com.example.motion", ContentMode.Structured)]
    public async Task A_camera_cloudevent_of_any_type_but_a_frame_is_refused_not_forwarded_and_dead_lettered_with_the_reason(string type, ContentMode mode)
    {
        await using var bridge = await StartBridgeAsync();
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);
        var injected = new CloudEvent
        {
            Id = "forged-1",
            Source = new Uri("/nodes/edge/statesink", UriKind.Relative),
            Type = type,
            DataContentType = "application/json",
            Data = """{"bundles":["edge/w-1/ingest.frame"],"to":"cloud"}"""u8.ToArray(),
        };

        await camera.PublishAsync(CloudEventsMqttBinding.ToMqttMessage(injected, mode, RawDataJsonEventFormatter.Instance, "cameras/cam-3/events"));

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/cam-3", deadLetter.Topic);
        Assert.Equal(
            $"CloudEvent type '{type}' is not accepted from a camera; 'cameras/cam-3/events' takes only io.skylark.camera.frame",
            deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty));
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.Rejected == 1 && bridge.Bridge.Unacknowledged == 0, "the refused event is dead-lettered and acknowledged");

        // A frame after it is announced, and it is the first thing the sink ever got: the forged event never reached it.
        var frame = BridgeHarness.Frame("cam-3", 4);
        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-3/frames", frame.Jpeg.ToArray()));
        await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-3", frame.Jpeg.ToArray());
        Assert.Equal(1, _sink.Requests);
    }

    [Theory]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"1","type":"t"}""", "invalid CloudEvent: Structured-mode CloudEvent is invalid")]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"1","source":"/s","type":"t","camera":"cam-9"}""", "names camera 'cam-9' but was published for camera 'cam-3'")]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"1","source":"/s","type":"io.skylark.camera.frame"}""", "must carry the frame as image/jpeg data")]
    [InlineData("text/plain", "motion!", "is not a CloudEvents format")]
    public async Task A_bad_cloudevent_is_dead_lettered_with_the_reason(string contentType, string payload, string expected)
    {
        await using var bridge = await StartBridgeAsync();
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);

        await camera.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("cameras/cam-3/events")
            .WithContentType(contentType)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/cam-3", deadLetter.Topic);
        Assert.Contains(expected, deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty), StringComparison.Ordinal);
        Assert.Equal(payload, Encoding.UTF8.GetString(deadLetter.Payload));
        Assert.Equal(contentType, deadLetter.ContentType);
    }

    [Fact]
    public async Task A_slow_sink_holds_frames_back_without_losing_or_reordering_them()
    {
        var release = new TaskCompletionSource();
        _sink.Hold = release.Task;
        await using var bridge = await StartBridgeAsync(o => (o.QueueCapacity, o.MaxConcurrency) = (1, 1));
        await using var camera = new CameraPublisher(_server.Connection);

        for (var seq = 0; seq < 6; seq++)
        {
            await camera.PublishAsync(BridgeHarness.Frame("cam-1", seq, width: 96, height: 64));
        }

        release.SetResult();
        var seqs = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var delivery = await _sink.NextAsync();
            seqs.Add(JsonSerializer.Deserialize<CameraFrame>((byte[])delivery.Event.Data!, ContractJson.Options)!.Seq);
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], seqs);
        await Poll.UntilAsync(() => bridge.Bridge.Metrics.FramesIngested == 6);
        Assert.Equal(0, bridge.Bridge.Metrics.DeadLettered);
    }

    [Fact]
    public async Task Starting_without_any_sink_fails_with_a_clear_error()
    {
        var options = BridgeHarness.Options(_server.Connection, _sink.Url);
        options.SinkUrl = null;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BridgeHarness.StartAsync(redis, options));

        Assert.Contains("K_SINK", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_setting()
    {
        var options = BridgeHarness.Options(_server.Connection, _sink.Url);
        options.FramesTopic = "cameras/frames";

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("FramesTopic", error.Message, StringComparison.Ordinal);
    }
}
