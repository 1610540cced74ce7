using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>A started <see cref="CameraIngestBridge"/> on node <see cref="Node"/> with its own key prefix in a real Redis.</summary>
internal sealed class BridgeHarness : IAsyncDisposable
{
    public const string Node = "edge-1";

    private readonly ConnectionMultiplexer _redis;
    private readonly HttpClient _http;

    private BridgeHarness(ConnectionMultiplexer redis, HttpClient http, BundleStore store, CameraIngestBridge bridge)
    {
        _redis = redis;
        _http = http;
        Store = store;
        Bridge = bridge;
    }

    public BundleStore Store { get; }

    public CameraIngestBridge Bridge { get; }

    public static CameraIngestOptions Options(MqttConnection broker, Uri sink) => new()
    {
        Broker = broker,
        SinkUrl = sink,
        Environment = new Dictionary<string, string?>(),
        ClientId = $"bridge-{Guid.NewGuid():N}",
        SinkBackoff = TimeSpan.FromMilliseconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    public static async Task<BridgeHarness> StartAsync(RedisServer redis, CameraIngestOptions options, Action<StateOptions>? configureState = null)
    {
        var stateOptions = redis.StateOptions(Node);
        configureState?.Invoke(stateOptions);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(stateOptions.ToRedisConfiguration());
        var http = new HttpClient();
        var store = new BundleStore(multiplexer, stateOptions);
        var bridge = new CameraIngestBridge(options, store, http);
        var harness = new BridgeHarness(multiplexer, http, store, bridge);
        try
        {
            using var timeout = new CancellationTokenSource(MqttProbe.Timeout);
            await bridge.StartAsync(timeout.Token);
            await bridge.WaitUntilSubscribedAsync(timeout.Token);
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>A frame of a small synthetic scene, as a simulated camera would capture it.</summary>
    public static SimulatedFrame Frame(string camera, long seq, int width = 160, int height = 120)
    {
        var scene = new SyntheticScene(7, new SyntheticSceneOptions(width: width, height: height));
        var rendered = scene.RenderFrame(seq);
        var capturedAt = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero).AddMilliseconds(100 * seq);
        return new SimulatedFrame(camera, seq, capturedAt, width, height, rendered.Jpeg, rendered.Truth);
    }

    public static MqttApplicationMessage RawFrame(string topic, byte[] payload, params (string Name, string Value)[] properties)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var (name, value) in properties)
        {
            builder.WithUtf8UserProperty(name, value);
        }

        return builder.Build();
    }

    /// <summary>Checks the event is a well-formed camera frame announcement and that its statekey resolves to <paramref name="jpeg"/>.</summary>
    public async Task<CameraFrame> AssertFrameEventAsync(SinkDelivery delivery, string camera, byte[] jpeg)
    {
        var cloudEvent = delivery.Event;
        Assert.True(delivery.BinaryMode, "events go to the sink in binary mode");
        Assert.Equal(EventTypes.CameraFrame, cloudEvent.Type);
        Assert.Equal(EventSources.Camera(camera), cloudEvent.Source);
        Assert.Equal(camera, cloudEvent[ExtensionNames.Camera]);
        Assert.Equal(Node, cloudEvent[ExtensionNames.StateNode]);
        Assert.Equal("application/json", cloudEvent.DataContentType);

        var stateRef = StateRef.Parse((string)cloudEvent[ExtensionNames.StateKey]!);
        Assert.Equal((Node, (string)cloudEvent[ExtensionNames.WorkflowId]!, CameraFrameBundle.Name), (stateRef.Node, stateRef.WorkflowId, stateRef.Bundle));

        var frame = JsonSerializer.Deserialize<CameraFrame>((byte[])cloudEvent.Data!, ContractJson.Options)!;
        Assert.Equal(camera, frame.Camera);
        Assert.Equal(cloudEvent.Time, frame.CapturedAt);

        var bundle = await Store.ReadAsync(stateRef);
        Assert.NotNull(bundle);
        Assert.Equal(jpeg, bundle.Items[CameraFrameBundle.ImageItem].ToArray());
        Assert.Equal(CameraFrameBundle.JpegContentType, bundle.Items.GetString(CameraFrameBundle.ContentTypeItem));
        Assert.Equal(frame, bundle.Items.GetJson<CameraFrame>(CameraFrameBundle.FrameItem, ContractJson.Options));
        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(MqttProbe.Timeout))
        {
            await Bridge.StopAsync(timeout.Token);
        }

        Bridge.Dispose();
        _http.Dispose();
        await _redis.DisposeAsync();
    }
}
