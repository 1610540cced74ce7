using System.Collections.Concurrent;
using System.Globalization;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Cameras;

/// <summary>
/// Simulated cameras feeding a secured MQTT server, as <c>skylark cameras</c> feeds a cluster's mosquitto: each camera
/// logs in as itself and may publish only under <c>cameras/&lt;its id&gt;/</c>; an operator reads <c>alarms/#</c>.
/// </summary>
public sealed class CameraFeedTests : IAsyncLifetime
{
    private static readonly SyntheticSceneOptions SmallScene = new(width: 160, height: 120);

    private readonly MqttAccessList _access = MqttAccessList.WithServices();
    private EmbeddedMqttServer _server = null!;

    public async Task InitializeAsync()
    {
        _access.Camera("cam-1");
        _server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0, Access = _access });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Publishes_every_frame_filmed_in_the_duration_on_the_camera_s_frames_topic_with_its_seq()
    {
        await using var ingest = await MqttProbe.ConnectAsync(As(MqttAccessList.IngestUser), subscriptions: "cameras/#");
        var feed = new CameraFeed(new CameraFeedOptions
        {
            Broker = As("cam-1"),
            FramesPerSecond = 2,
            Duration = TimeSpan.FromSeconds(1.5),
            Scene = SmallScene,
        });

        var report = await feed.RunAsync();

        // Captured at 0, 0.5 and 1 s; the next one, at 1.5 s, is past the duration.
        Assert.Equal(3, report.FramesPublished["cam-1"]);
        for (var seq = 0; seq < 3; seq++)
        {
            var frame = await ingest.NextAsync();
            Assert.Equal("cameras/cam-1/frames", frame.Topic);
            Assert.Equal(CameraFrameBundle.JpegContentType, frame.ContentType);
            Assert.Equal(seq.ToString(CultureInfo.InvariantCulture), frame.UserProperty(CameraTopics.SeqProperty));
            Assert.NotNull(frame.UserProperty(CameraTopics.CapturedAtProperty));
        }

        Assert.Equal(0, ingest.ReceivedCount);
    }

    [Fact]
    public async Task A_camera_publishing_under_another_camera_s_id_is_refused_and_the_feed_fails_saying_which()
    {
        var feed = new CameraFeed(new CameraFeedOptions
        {
            Broker = As("cam-1"),
            Cameras = ["cam-2"],
            FramesPerSecond = 5,
            Duration = TimeSpan.FromSeconds(10),
            Scene = SmallScene,
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => feed.RunAsync());

        Assert.Contains("'cam-2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alarms_published_for_the_camera_are_received_counted_and_read_until_the_feed_is_stopped()
    {
        var received = new ConcurrentQueue<ReceivedAlarm>();
        var feed = new CameraFeed(new CameraFeedOptions
        {
            Broker = As("cam-1"),
            FramesPerSecond = 5,
            Duration = TimeSpan.FromMinutes(1),
            Scene = SmallScene,
            Alarms = As(MqttAccessList.OperatorUser),
        });
        using var stop = new CancellationTokenSource();
        var running = feed.RunAsync(received.Enqueue, stop.Token);

        // The feed subscribes to the alarms before its first frame goes out.
        await Poll.UntilAsync(() => feed.FramesPublished > 0, "the camera has published a frame");
        await using (var alarmFunction = await MqttProbe.ConnectAsync(As(MqttAccessList.AlarmUser)))
        {
            await alarmFunction.PublishAsync(MqttAlarmPublisher.ToMqttMessage(Notice(seq: 3)));
            await alarmFunction.PublishAsync(MqttAlarmPublisher.ToMqttMessage(Notice(seq: 4)));
        }

        await Poll.UntilAsync(() => received.Count == 2, "both alarms have arrived");
        await stop.CancelAsync();
        var report = await running;

        Assert.Equal(2, report.AlarmsReceived);
        Assert.True(report.FramesPublished["cam-1"] > 0);
        Assert.Equal(
            [("cam-1", (long?)3, "r1c2", 2), ("cam-1", 4, "r1c2", 2)],
            received.Select(a => (a.Camera, a.Seq, string.Join(",", a.Zones), a.Boxes)));
    }

    [Fact]
    public void A_payload_that_is_not_a_notice_is_still_an_alarm_of_the_topic_s_camera()
    {
        var alarm = ReceivedAlarm.Parse("alarms/cam-7", "intruder"u8);

        Assert.Equal(("cam-7", (long?)null, 0), (alarm.Camera, alarm.Seq, alarm.Boxes));
    }

    private Skylark.Events.Bindings.Mqtt.MqttConnection As(string user) => _access[user].On(_server.Connection);

    private static AlarmNotice Notice(long seq) => new(
        "cam-1",
        $"cam-1-{seq}-abcd",
        seq,
        ["r1c2"],
        [new DetectedBox(10, 20, 30, 60), new DetectedBox(50, 20, 30, 60)],
        160,
        120,
        DateTimeOffset.UnixEpoch,
        "cloud",
        StateRef.Parse($"cloud/cam-1-{seq}-abcd/detect.result"));
}
