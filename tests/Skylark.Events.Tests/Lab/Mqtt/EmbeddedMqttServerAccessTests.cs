using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Mqtt;

/// <summary>
/// The embedded MQTTnet server with an access list: only known users get in, a camera publishes under its own id only,
/// only the camera ingest reads frames, operators read alarms.
/// </summary>
public sealed class EmbeddedMqttServerAccessTests : IAsyncLifetime
{
    private readonly MqttAccessList _access = MqttAccessList.WithServices();
    private EmbeddedMqttServer _server = null!;

    public async Task InitializeAsync()
    {
        _access.Camera("cam-1");
        _access.Camera("cam-2");
        _server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0, Access = _access });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private MqttConnection As(string user) => _access[user].On(_server.Connection);

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Refuses_anonymous_clients_and_wrong_passwords_with_bad_user_name_or_password(MqttProtocolVersion version)
    {
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await MqttProbe.TryConnectAsync(_server.Connection, version));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await MqttProbe.TryConnectAsync(new MqttConnection("127.0.0.1", _server.Port, userName: "cam-1", password: "guess"), version));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await MqttProbe.TryConnectAsync(new MqttConnection("127.0.0.1", _server.Port, userName: "nobody", password: "x"), version));
        Assert.Equal(MqttClientConnectResultCode.Success, await MqttProbe.TryConnectAsync(As("cam-1"), version));
    }

    [Fact]
    public async Task A_camera_can_publish_under_its_own_id_but_not_under_another_camera_s()
    {
        await using var ingest = await MqttProbe.ConnectAsync(As(MqttAccessList.IngestUser), subscriptions: "cameras/#");
        await using var camera = await MqttProbe.ConnectAsync(As("cam-1"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await camera.TryPublishAsync(Message("cameras/cam-2/frames", 2)));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await camera.TryPublishAsync(Message("cameras/cam-2/events", 3)));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await camera.TryPublishAsync(Message("alarms/cam-1", 4)));
        Assert.Equal(MqttClientPublishReasonCode.Success, await camera.TryPublishAsync(Message("cameras/cam-1/frames", 1)));

        // In arrival order: the refused messages went nowhere, the camera's own is the first the ingest hears.
        var received = await ingest.NextAsync();
        Assert.Equal("cameras/cam-1/frames", received.Topic);
        Assert.Equal([1], received.Payload);
    }

    [Fact]
    public async Task Only_the_camera_ingest_may_subscribe_to_frames()
    {
        await using var camera = await MqttProbe.ConnectAsync(As("cam-1"));
        await using var watcher = await MqttProbe.ConnectAsync(As(MqttAccessList.OperatorUser));
        await using var alarm = await MqttProbe.ConnectAsync(As(MqttAccessList.AlarmUser));
        await using var ingest = await MqttProbe.ConnectAsync(As(MqttAccessList.IngestUser));

        foreach (var outsider in new[] { camera, watcher, alarm })
        {
            foreach (var filter in new[] { "#", "cameras/#", "cameras/+/frames", "cameras/cam-1/frames", "+/cam-1/frames" })
            {
                Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await outsider.TrySubscribeAsync(filter));
            }
        }

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ingest.TrySubscribeAsync("cameras/#"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await ingest.TrySubscribeAsync("#"));
    }

    [Fact]
    public async Task Operators_read_the_alarms_the_alarm_function_writes()
    {
        await using var watcher = await MqttProbe.ConnectAsync(As(MqttAccessList.OperatorUser));
        await using var alarm = await MqttProbe.ConnectAsync(As(MqttAccessList.AlarmUser));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await watcher.TrySubscribeAsync("alarms/#"));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await watcher.TrySubscribeAsync("skylark/deadletter/#"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await watcher.TryPublishAsync(Message("alarms/cam-1", 9)));
        Assert.Equal(MqttClientPublishReasonCode.Success, await alarm.TryPublishAsync(Message("alarms/cam-1", 7)));

        var received = await watcher.NextAsync();
        Assert.Equal("alarms/cam-1", received.Topic);
        Assert.Equal([7], received.Payload);
    }

    [Fact]
    public async Task A_will_message_is_held_to_the_same_rules_as_a_publish()
    {
        using var logs = new RecordingLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        await using var server = await EmbeddedMqttServer.StartAsync(
            new EmbeddedMqttServerOptions { Port = 0, Access = _access }, loggerFactory.CreateLogger<EmbeddedMqttServer>());
        await using var ingest = await MqttProbe.ConnectAsync(_access[MqttAccessList.IngestUser].On(server.Connection), subscriptions: "cameras/#");

        // A will is published by the server when the connection drops without a DISCONNECT, on the camera's behalf.
        await DropWithWillAsync(server, "cameras/cam-2/frames");
        await Poll.UntilAsync(
            () => logs.Entries.Any(e => e.Message.Contains("Refused a publish by MQTT user cam-1 to cameras/cam-2/frames", StringComparison.Ordinal)),
            "the server refused cam-1's will under cam-2");
        await DropWithWillAsync(server, "cameras/cam-1/status");

        Assert.Equal("cameras/cam-1/status", (await ingest.NextAsync()).Topic);
    }

    private async Task DropWithWillAsync(EmbeddedMqttServer server, string willTopic)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = _access["cam-1"].On(server.Connection).CreateClientOptions($"will-{Guid.NewGuid():N}")
            .WithWillTopic(willTopic)
            .WithWillPayload([9])
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        using var timeout = new CancellationTokenSource(MqttProbe.Timeout);
        await client.ConnectAsync(options, timeout.Token);

        // Disposed without DISCONNECT: to the server the connection was lost.
        client.Dispose();
    }

    [Fact]
    public async Task A_camera_added_while_the_server_runs_can_log_in_at_once()
    {
        var late = _access.Camera("cam-late");

        Assert.Equal(MqttClientConnectResultCode.Success, await MqttProbe.TryConnectAsync(late.On(_server.Connection)));
    }

    private static MqttApplicationMessage Message(string topic, byte value) => new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload([value])
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();
}
