using MQTTnet;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>
/// Debian's mosquitto configured with the password file and ACL file <see cref="MosquittoFiles"/> writes from an access
/// list: the camera ingest works with its own login, while anonymous clients, a camera publishing under another
/// camera's id and a client that is not the ingest reading frames are refused, as by the embedded server.
/// </summary>
public sealed class MosquittoAccessControlTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly MqttAccessList _access = MqttAccessList.WithServices();
    private Mosquitto _mosquitto = null!;
    private RecordingSink _sink = null!;

    public async Task InitializeAsync()
    {
        _access.Camera("cam-1");
        _access.Camera("cam-2");
        _mosquitto = await Mosquitto.StartAsync(_access);
        _sink = await RecordingSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        await _mosquitto.DisposeAsync();
    }

    private MqttConnection As(string user) => _access[user].On(_mosquitto.Connection);

    private Task<BridgeHarness> StartBridgeAsync() => BridgeHarness.StartAsync(redis, BridgeHarness.Options(As(MqttAccessList.IngestUser), _sink.Url));

    [Fact]
    public async Task The_camera_ingest_with_its_own_login_takes_a_camera_s_frames()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = new CameraPublisher(As("cam-1"));
        var frame = BridgeHarness.Frame("cam-1", 3);

        await camera.PublishAsync(frame);

        var announced = await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-1", frame.Jpeg.ToArray());
        Assert.Equal(frame.ToCameraFrame(), announced);
    }

    [Fact]
    public async Task Anonymous_clients_and_wrong_passwords_are_refused()
    {
        MqttClientConnectResultCode[] refusals = [MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.BadUserNameOrPassword];

        Assert.Contains(await MqttProbe.TryConnectAsync(_mosquitto.Connection), refusals);
        Assert.Contains(await MqttProbe.TryConnectAsync(new MqttConnection(_mosquitto.Host, _mosquitto.Port, userName: "cam-1", password: "guess")), refusals);
        Assert.Equal(MqttClientConnectResultCode.Success, await MqttProbe.TryConnectAsync(As("cam-1")));
    }

    [Fact]
    public async Task A_camera_publishing_under_another_camera_s_id_is_refused_and_nothing_reaches_the_sink()
    {
        await using var bridge = await StartBridgeAsync();
        await using var camera = await MqttProbe.ConnectAsync(As("cam-1"));
        var forged = BridgeHarness.Frame("cam-2", 1).Jpeg.ToArray();
        var own = BridgeHarness.Frame("cam-1", 2).Jpeg.ToArray();

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await camera.TryPublishAsync(BridgeHarness.RawFrame("cameras/cam-2/frames", forged)));
        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-1/frames", own));

        // In order: the refused frame went nowhere, the camera's own is the first and only event.
        await bridge.AssertFrameEventAsync(await _sink.NextAsync(), "cam-1", own);
        Assert.Equal(1, _sink.Requests);
        Assert.Equal(1, bridge.Bridge.Metrics.Received);
    }

    [Fact]
    public async Task Only_the_camera_ingest_reads_frames()
    {
        await using var camera = await MqttProbe.ConnectAsync(As("cam-1"), subscriptions: "cameras/+/frames");
        await using var watcher = await MqttProbe.ConnectAsync(As(MqttAccessList.OperatorUser), subscriptions: ["cameras/#", "alarms/#"]);
        await using var ingest = await MqttProbe.ConnectAsync(As(MqttAccessList.IngestUser), subscriptions: "cameras/#");
        await using var alarm = await MqttProbe.ConnectAsync(As(MqttAccessList.AlarmUser));

        // mosquitto grants the subscriptions and then delivers only what the ACL lets each user read.
        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-1/frames", [0xFF, 0xD8]));
        Assert.Equal("cameras/cam-1/frames", (await ingest.NextAsync()).Topic);
        await alarm.PublishAsync(BridgeHarness.RawFrame("alarms/cam-1", [1]));

        // The alarm was published after the frame was delivered, so the operator's first message shows it got no frame.
        Assert.Equal("alarms/cam-1", (await watcher.NextAsync()).Topic);
        await camera.PublishAsync(BridgeHarness.RawFrame("cameras/cam-1/frames", [0xFF, 0xD8]));
        Assert.Equal("cameras/cam-1/frames", (await ingest.NextAsync()).Topic);
        await alarm.PublishAsync(BridgeHarness.RawFrame("alarms/cam-1", [2]));
        Assert.Equal([2], (await watcher.NextAsync()).Payload);
        Assert.Equal(0, camera.ReceivedCount);
    }
}
