using System.Net;
using System.Text.Json;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.Contracts;
using Skylark.Events.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>
/// The camera-ingest deployable as a ContainerSource pod runs it: its own process, configured by environment variables
/// only, against Debian's mosquitto, a real redis-server and a Kestrel sink on 127.0.0.1.
/// </summary>
public sealed class CameraIngestProcessTests
{
    private const string Assembly = "Skylark.Events.CameraIngest";

    [Fact]
    public async Task Without_a_sink_or_a_broker_and_with_bad_overrides_it_exits_2_naming_each_on_a_line_of_its_own()
    {
        await using var ingest = ServiceProcess.Start(Assembly, new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "edge-1",
            ["SKYLARK_REDIS"] = "127.0.0.1:6379",
            ["K_CE_OVERRIDES"] = "{\"extensions\":",
        });

        var code = await ingest.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        var lines = ingest.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("camera-ingest: --sink (K_SINK) is required.", lines[0]);
        Assert.StartsWith("camera-ingest: --ce-overrides (K_CE_OVERRIDES) is not valid JSON: ", lines[1], StringComparison.Ordinal);
        Assert.Equal("camera-ingest: --mqtt (SKYLARK_MQTT) is required.", lines[2]);
    }

    [Fact]
    public async Task Frames_published_on_mqtt_reach_the_sink_as_cloudevents_with_the_overrides_and_are_kept_in_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var mosquitto = await Mosquitto.StartAsync("camera", "mqtt-secret");
        await using var sink = await RecordingSink.StartAsync();
        var keyPrefix = RedisServer.NewKeyPrefix();
        await using var ingest = ServiceProcess.Start(Assembly, new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "edge-1",
            ["SKYLARK_REDIS"] = redis.Configuration,
            ["SKYLARK_REDIS_PASSWORD"] = redis.Password,
            ["SKYLARK_KEY_PREFIX"] = keyPrefix,
            ["SKYLARK_MQTT"] = $"mqtt://camera@{mosquitto.Host}:{mosquitto.Port}",
            ["SKYLARK_MQTT_PASSWORD"] = "mqtt-secret",
            ["K_SINK"] = sink.Url.ToString(),
            ["K_CE_OVERRIDES"] = """{"extensions":{"cluster":"edge-a"}}""",
            ["SKYLARK_SHUTDOWN_GRACE"] = "5s",
        });
        using var client = new HttpClient { BaseAddress = await ingest.ListeningAsync() };
        try
        {
            await UntilReadyAsync(client, HttpStatusCode.OK);
            await using var camera = new CameraPublisher(mosquitto.Connection);
            var frame = BridgeHarness.Frame("cam-1", 7);

            await camera.PublishAsync(frame);

            var delivery = await sink.NextAsync();
            Assert.True(delivery.BinaryMode);
            Assert.Equal((EventTypes.CameraFrame, "cam-1", "edge-a"), (delivery.Event.Type, delivery.Event[ExtensionNames.Camera], delivery.Event["cluster"]));
            var stateRef = StateRef.Parse((string)delivery.Event[ExtensionNames.StateKey]!);
            Assert.Equal(("edge-1", CameraFrameBundle.Name), (stateRef.Node, stateRef.Bundle));
            await using (var multiplexer = await redis.ConnectAsync())
            {
                var bundle = await new BundleStore(multiplexer, redis.StateOptions("edge-1", keyPrefix)).ReadAsync(stateRef);
                Assert.Equal(frame.Jpeg.ToArray(), bundle!.Items[CameraFrameBundle.ImageItem].ToArray());
            }

            // The frame is counted once the sink has answered, which can be just after the sink saw it.
            await Poll.UntilAsync(
                async () =>
                {
                    using var status = JsonDocument.Parse(await client.GetStringAsync("/status"));
                    return status.RootElement.GetProperty("subscribed").GetBoolean()
                        && status.RootElement.GetProperty("metrics").GetProperty("framesIngested").GetInt64() == 1;
                },
                "/status shows the ingress subscribed with one frame ingested");
            Assert.Contains("skylark_cameraingest_messages", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            await mosquitto.DisposeAsync();
        }

        var notReady = await UntilReadyAsync(client, HttpStatusCode.ServiceUnavailable);
        Assert.StartsWith("not ready\nmqtt: Not subscribed on MQTT broker mqtt://camera@127.0.0.1:", notReady, StringComparison.Ordinal);
        Assert.DoesNotContain("mqtt-secret", notReady + ingest.StandardOutput + ingest.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await ingest.TerminateAsync());
    }

    [Fact]
    public async Task It_is_not_ready_while_the_broker_is_unreachable_and_ready_once_it_is_up()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sink = await RecordingSink.StartAsync();
        var mosquitto = new Mosquitto();
        await using var ingest = ServiceProcess.Start(Assembly, new Dictionary<string, string>
        {
            ["SKYLARK_NODE"] = "edge-1",
            ["SKYLARK_REDIS"] = redis.Configuration,
            ["SKYLARK_REDIS_PASSWORD"] = redis.Password,

            // Nothing listens there until the broker below starts on that port.
            ["SKYLARK_MQTT"] = $"mqtt://127.0.0.1:{await FreePortForBrokerAsync(mosquitto)}",
            ["K_SINK"] = sink.Url.ToString(),
        });
        using var client = new HttpClient { BaseAddress = await ingest.ListeningAsync() };

        var notReady = await UntilReadyAsync(client, HttpStatusCode.ServiceUnavailable);
        using var alive = await client.GetAsync("/healthz");
        await mosquitto.RestartAsync();
        await UntilReadyAsync(client, HttpStatusCode.OK);
        await mosquitto.DisposeAsync();

        Assert.Contains("mqtt: Not subscribed on MQTT broker", notReady, StringComparison.Ordinal);
        Assert.DoesNotContain("redis:", notReady, StringComparison.Ordinal);
        Assert.DoesNotContain("sink:", notReady, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(0, await ingest.TerminateAsync());
    }

    /// <summary>Starts <paramref name="mosquitto"/> to learn a port it can listen on, then stops it: the port stays free for it.</summary>
    private static async Task<int> FreePortForBrokerAsync(Mosquitto mosquitto)
    {
        await mosquitto.InitializeAsync();
        var port = mosquitto.Port;
        await mosquitto.StopAsync();
        return port;
    }

    /// <summary>Polls <c>/readyz</c> until it answers <paramref name="expected"/>; returns the body.</summary>
    private static async Task<string> UntilReadyAsync(HttpClient client, HttpStatusCode expected)
    {
        var body = "";
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync("/readyz");
                body = await response.Content.ReadAsStringAsync();
                return response.StatusCode == expected;
            },
            $"/readyz answers {(int)expected}",
            ServiceProcess.Bound);
        return body;
    }
}
