using System.Net;
using System.Text.Json;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Alarm;

/// <summary>The alarm deployable as a Knative Service runs it: its own process, configured by environment variables only.</summary>
public sealed class AlarmProcessTests
{
    private const string Assembly = "Skylark.Events.Functions.Alarm";
    private const string Node = "cloud";
    private const string Camera = "cam-1";

    [Fact]
    public async Task With_SKYLARK_MQTT_set_a_raised_alarm_reaches_a_subscriber_on_alarms()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var mosquitto = await Mosquitto.StartAsync("alarm", "mqtt-secret");
        var keyPrefix = RedisServer.NewKeyPrefix();
        await using var alarm = ServiceProcess.Start(Assembly, new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = Node,
            ["SKYLARK_REDIS"] = redis.Configuration,
            ["SKYLARK_REDIS_PASSWORD"] = redis.Password,
            ["SKYLARK_KEY_PREFIX"] = keyPrefix,
            ["SKYLARK_MQTT"] = $"mqtt://alarm@{mosquitto.Host}:{mosquitto.Port}",
            ["SKYLARK_MQTT_PASSWORD"] = "mqtt-secret",
        });
        using var client = new FunctionClient(await alarm.ListeningAsync());
        await using var subscriber = await MqttProbe.ConnectAsync(mosquitto.Connection, subscriptions: "alarms/#");
        var result = new StateRef(Node, "wf-1", DetectBundles.Result);
        await using (var multiplexer = await redis.ConnectAsync())
        {
            var store = new BundleStore(multiplexer, redis.StateOptions(Node, keyPrefix));
            await store.WriteAsync(AlarmBundles.SettingsRef(Node, Camera), AlarmBundles.SettingsItems(new AlarmSettings(windowSize: 1, requiredPositives: 1)));
            var detect = new DetectResult(Camera, 1, 320, 240, true, false, false, 30, null, [new DetectionBox(10, 10, 20, 30, 400)], []);
            await store.WriteAsync(result, BundleItems.CreateBuilder().AddJson(DetectBundles.ResultItem, detect, ContractJson.Options).Build());
        }

        var raised = await client.PostAsync("/", FunctionEvents.DetectCompleted(Camera, "wf-1", result, detected: true));

        Assert.Equal((HttpStatusCode.OK, EventTypes.AlarmRaised), (raised.Status, raised.Event.Type));
        var message = await subscriber.NextAsync();
        Assert.Equal("alarms/cam-1", message.Topic);
        using var notice = JsonDocument.Parse(message.Payload);
        Assert.Equal(("cam-1", "wf-1"), (notice.RootElement.GetProperty("camera").GetString(), notice.RootElement.GetProperty("workflowId").GetString()));
        Assert.Equal(EventTypes.AlarmRaised, message.UserProperty("type"));
        Assert.Equal(0, await alarm.TerminateAsync());
    }

    [Fact]
    public async Task A_broker_url_carrying_its_password_is_refused_with_exit_2()
    {
        await using var alarm = ServiceProcess.Start(Assembly, new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = Node,
            ["SKYLARK_REDIS"] = "127.0.0.1:6379",
            ["SKYLARK_MQTT"] = "mqtt://alarm:mqtt-secret@127.0.0.1:1883",
        });

        Assert.Equal(SkylarkService.ConfigurationExitCode, await alarm.ExitAsync());
        Assert.Equal(
            "alarm: --mqtt (SKYLARK_MQTT) carries a password; give the URL without it and the password in SKYLARK_MQTT_PASSWORD or a file named by --mqtt-password-file.",
            alarm.StandardError.Trim());
    }
}
