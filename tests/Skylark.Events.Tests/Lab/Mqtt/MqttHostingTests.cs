using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.State;
using Skylark.Events.Tests.CameraIngest;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Mqtt;

/// <summary>The services as a node host wires them: state, the embedded MQTT server, then the bridge using it.</summary>
public sealed class MqttHostingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_host_with_the_embedded_server_and_the_bridge_ingests_frames_published_to_it()
    {
        await using var sink = await RecordingSink.StartAsync();
        var state = redis.StateOptions(BridgeHarness.Node);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSkylarkState(o => (o.Configuration, o.Password, o.Node, o.KeyPrefix) = (state.Configuration, state.Password, state.Node, state.KeyPrefix));
        // As skylark up does: the address is chosen first, so the bridge can be told it before the server listens.
        var embedded = new MqttConnection("127.0.0.1", ReservedPorts.Reserve());
        builder.Services.AddEmbeddedMqttServer(o => o.Port = embedded.Port);
        builder.Services.AddCameraIngest(o =>
        {
            o.Broker = embedded;
            o.SinkUrl = sink.Url;
            o.Environment = new Dictionary<string, string?>();
        });
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(MqttProbe.Timeout);
        await host.StartAsync(timeout.Token);
        try
        {
            var bridge = host.Services.GetRequiredService<CameraIngestBridge>();
            var server = host.Services.GetRequiredService<EmbeddedMqttServerHost>().Server!;
            await bridge.WaitUntilSubscribedAsync(timeout.Token);
            Assert.Equal(server.Connection, bridge.Broker);

            await using var camera = new CameraPublisher(server.Connection);
            var frame = BridgeHarness.Frame("cam-7", 3);
            await camera.PublishAsync(frame, timeout.Token);

            var delivery = await sink.NextAsync();
            Assert.Equal("cam-7", delivery.Event["camera"]);
            var stateRef = Skylark.Events.Contracts.StateRef.Parse((string)delivery.Event["statekey"]!);
            var bundle = await host.Services.GetRequiredService<BundleStore>().ReadAsync(stateRef);
            Assert.Equal(frame.Jpeg.ToArray(), bundle!.Items[CameraFrameBundle.ImageItem].ToArray());
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        Assert.Null(host.Services.GetRequiredService<EmbeddedMqttServerHost>().Server);
    }
}
