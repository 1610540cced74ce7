using System.Text;
using System.Text.Json;
using Skylark.Events.CameraIngest;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.DeadLetters;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>
/// What the bridge does while what it depends on is down: the node's Redis (a real redis-server, SIGKILLed and
/// restarted), the sink, the dead-letter sink. A frame is acknowledged only once it is safe, so an outage delays
/// frames and never loses them; only frames the bridge rejects are dead-lettered.
/// </summary>
public sealed class CameraIngestOutageTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

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

    private CameraIngestOptions Options(Action<CameraIngestOptions>? configure = null)
    {
        var options = BridgeHarness.Options(_server.Connection, _sink.Url);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Frames_published_while_the_nodes_redis_is_killed_and_restarted_are_all_stored_and_each_delivered_exactly_once()
    {
        // Append-only with fsync on every write, so what Redis acknowledged before the SIGKILL is still there after it.
        await using var nodeRedis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var bridge = await BridgeHarness.StartAsync(nodeRedis, Options(), state => state.RedisCommandTimeout = TimeSpan.FromSeconds(1));
        await using var camera = new CameraPublisher(_server.Connection);
        var frames = Enumerable.Range(0, 30).Select(seq => BridgeHarness.Frame("cam-1", seq, width: 96, height: 64)).ToList();

        foreach (var frame in frames.Take(10))
        {
            await camera.PublishAsync(frame);
        }

        await Poll.UntilAsync(() => _sink.Accepted == 10, "the first 10 frames reached the sink");
        await nodeRedis.KillAsync();
        foreach (var frame in frames.Skip(10).Take(8))
        {
            await camera.PublishAsync(frame);
        }

        await Poll.UntilAsync(() => bridge.Bridge.Metrics.HeldForRedis > 0, "the bridge holds a frame Redis did not store");
        Assert.Contains(bridge.Bridge.Unavailable, why => why.StartsWith("the node's Redis does not store frames", StringComparison.Ordinal));
        Assert.Equal(10, _sink.Accepted);
        Assert.InRange(bridge.Bridge.Unacknowledged, 1, 8);

        await nodeRedis.RestartAsync();
        foreach (var frame in frames.Skip(18))
        {
            await camera.PublishAsync(frame);
        }

        await Poll.UntilAsync(() => _sink.Accepted == 30, "all 30 frames reached the sink", RecoveryBound);
        var delivered = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            var delivery = await _sink.NextAsync();
            var seq = JsonSerializer.Deserialize<CameraFrame>((byte[])delivery.Event.Data!, ContractJson.Options)!.Seq;
            await bridge.AssertFrameEventAsync(delivery, "cam-1", frames[(int)seq].Jpeg.ToArray());
            delivered.Add(seq);
        }

        // Exactly once here: the MQTT connection stayed up, so nothing was redelivered, and a held frame is written
        // again to the same bundle and sent as the same event.
        Assert.Equal(Enumerable.Range(0, 30).Select(seq => (long)seq), delivered.Order());
        await Poll.UntilAsync(() => bridge.Bridge.Unacknowledged == 0 && bridge.Bridge.Unavailable.Count == 0, "every frame is acknowledged and nothing is unavailable");
        Assert.Equal((30L, 0L, 0L), (bridge.Bridge.Metrics.FramesIngested, bridge.Bridge.Metrics.DeadLettered, bridge.Bridge.Metrics.SinkFailures));
    }

    [Fact]
    public async Task While_the_sink_is_down_frames_are_held_unacknowledged_not_dead_lettered_and_all_delivered_once_it_is_back()
    {
        _sink.Down = true;
        await using var bridge = await BridgeHarness.StartAsync(redis, Options(o => o.SinkAttempts = 2));
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = new CameraPublisher(_server.Connection);
        var frames = Enumerable.Range(0, 5).Select(seq => BridgeHarness.Frame("cam-2", seq, width: 96, height: 64)).ToList();

        foreach (var frame in frames)
        {
            await camera.PublishAsync(frame);
        }

        await Poll.UntilAsync(() => bridge.Bridge.Unacknowledged == 5 && bridge.Bridge.Metrics.HeldForSink >= 2, "the bridge holds all 5 frames");
        Assert.Contains(bridge.Bridge.Unavailable, why => why.StartsWith("the sink does not take events", StringComparison.Ordinal) && why.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.Equal((0, 0L, 0L), (_sink.Accepted, bridge.Bridge.Metrics.DeadLettered, bridge.Bridge.Metrics.SinkFailures));

        _sink.Down = false;

        await Poll.UntilAsync(() => _sink.Accepted == 5, "all 5 frames reached the sink", RecoveryBound);
        var accepted = new List<long>();
        while (accepted.Count < 5)
        {
            var delivery = await _sink.NextAcceptedAsync();
            accepted.Add(JsonSerializer.Deserialize<CameraFrame>((byte[])delivery.Event.Data!, ContractJson.Options)!.Seq);
        }

        Assert.Equal([0, 1, 2, 3, 4], accepted.Order());
        await Poll.UntilAsync(() => bridge.Bridge.Unacknowledged == 0 && bridge.Bridge.Unavailable.Count == 0, "every frame is acknowledged and the sink is available again");
        Assert.Equal(0, bridge.Bridge.Metrics.DeadLettered);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deadLetters.NextAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Theory]
    [InlineData("cameras//frames", "topic 'cameras//frames' has an empty camera id where 'cameras/+/frames' has '+'")]
    [InlineData("cameras//events", "topic 'cameras//events' has an empty camera id where 'cameras/+/events' has '+'")]
    [InlineData("cameras/cam-1/left/frames", "topic 'cameras/cam-1/left/frames' is neither a frame topic ('cameras/+/frames') nor an event topic ('cameras/+/events')")]
    public async Task A_message_on_a_camera_topic_the_bridge_cannot_parse_is_dead_lettered_with_the_reason_not_dropped(string topic, string reason)
    {
        await using var bridge = await BridgeHarness.StartAsync(redis, Options());
        await using var deadLetters = await MqttProbe.ConnectAsync(_server.Connection, subscriptions: "skylark/deadletter/#");
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);
        var jpeg = BridgeHarness.Frame("x", 0).Jpeg.ToArray();

        await camera.PublishAsync(BridgeHarness.RawFrame(topic, jpeg, ("seq", "4")));

        var deadLetter = await deadLetters.NextAsync();
        Assert.Equal("skylark/deadletter/_invalid", deadLetter.Topic);
        Assert.Equal(reason, deadLetter.UserProperty(CameraIngestBridge.DeadLetterReasonProperty));
        Assert.Equal(topic, deadLetter.UserProperty(CameraIngestBridge.DeadLetterTopicProperty));
        Assert.Equal("4", deadLetter.UserProperty("seq"));
        Assert.Equal(jpeg, deadLetter.Payload);
        await Poll.UntilAsync(() => bridge.Bridge.Metrics is { BadTopics: 1, DeadLettered: 1 } && bridge.Bridge.Unacknowledged == 0);
        Assert.Equal(0, _sink.Requests);
    }

    [Fact]
    public async Task With_a_dead_letter_sink_a_rejected_frame_is_kept_by_the_dead_letters_service_with_knatives_error_extensions()
    {
        using var scratch = new ScratchDirectory();
        await using var deadLetterService = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"));
        await using var bridge = await BridgeHarness.StartAsync(redis, Options(o => o.DeadLetterSinkUrl = deadLetterService.Client.BaseAddress));
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);

        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-3/frames", "hello"u8.ToArray()));

        await Poll.UntilAsync(() => bridge.Bridge.Metrics.DeadLettersStored == 1 && bridge.Bridge.Unacknowledged == 0, "the dead letter is stored and the frame acknowledged");
        using var listing = JsonDocument.Parse(await deadLetterService.Client.GetStringAsync(new Uri("/dead-letters", UriKind.Relative)));
        var record = Assert.Single(listing.RootElement.GetProperty("items").EnumerateArray().ToList());
        var error = record.GetProperty("error");
        Assert.Equal(_sink.Url.AbsoluteUri, error.GetProperty("destination").GetString());
        Assert.Equal(422, error.GetProperty("code").GetInt32());
        Assert.Contains("not a JPEG", error.GetProperty("data").GetString(), StringComparison.Ordinal);
        var deadLetter = record.GetProperty("event");
        Assert.Equal("io.skylark.camera.rejected", deadLetter.GetProperty("type").GetString());
        Assert.Equal("cameras/cam-3/frames", deadLetter.GetProperty("mqtttopic").GetString());
        Assert.Equal("cam-3", deadLetter.GetProperty("camera").GetString());
        Assert.Equal("hello"u8.ToArray(), Convert.FromBase64String(deadLetter.GetProperty("data_base64").GetString()!));
        Assert.Equal(0, _sink.Requests);
    }

    [Fact]
    public async Task While_the_dead_letter_sink_is_down_a_rejected_frame_is_held_until_it_keeps_it()
    {
        await using var deadLetterSink = await RecordingSink.StartAsync();
        deadLetterSink.Down = true;
        await using var bridge = await BridgeHarness.StartAsync(redis, Options(o => o.DeadLetterSinkUrl = deadLetterSink.Url));
        await using var camera = await MqttProbe.ConnectAsync(_server.Connection);

        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-4/frames", "not a frame"u8.ToArray()));

        await Poll.UntilAsync(() => deadLetterSink.Requests >= 2, "the bridge tried the dead-letter sink again");
        Assert.Equal(1, bridge.Bridge.Unacknowledged);
        Assert.Contains(bridge.Bridge.Unavailable, why => why.StartsWith("the dead-letter sink does not take dead letters", StringComparison.Ordinal));

        deadLetterSink.Down = false;

        var stored = await deadLetterSink.NextAcceptedAsync();
        Assert.Equal("422", stored.Event["knativeerrorcode"]);
        Assert.Contains("not a JPEG", Encoding.UTF8.GetString(Convert.FromBase64String((string)stored.Event["knativeerrordata"]!)), StringComparison.Ordinal);
        Assert.True(stored.BinaryMode);
        await Poll.UntilAsync(() => bridge.Bridge.Unacknowledged == 0 && bridge.Bridge.Unavailable.Count == 0, "the frame is acknowledged once its dead letter is kept");
    }
}
