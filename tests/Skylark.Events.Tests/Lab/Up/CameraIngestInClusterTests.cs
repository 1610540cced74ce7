using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Bindings;
using Skylark.Events.CameraIngest;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Lab.Up;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.State;
using Skylark.Events.Tests.CameraIngest;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>
/// Bad camera input inside a running <c>skylark up</c> (three-nodes, MQTT ingest on edge): a corrupt JPEG and a frame
/// of an unknown camera are refused by preprocess with 422 and reach the dead-letter sink after the Broker's retries;
/// an oversized frame is dead-lettered by the MQTT bridge; a good camera publishing alongside loses nothing.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class CameraIngestInClusterTests : IAsyncLifetime
{
    private readonly ScratchDirectory _work = new();
    private readonly List<CloudEvent> _deadLetters = [];
    private WorkflowObserver _observer = null!;
    private LocalWebApp _observerApp = null!;
    private EmulatedCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _observer = new WorkflowObserver(
            DemoRun.FunctionTriggers(ResourceLoader.Load([RepositoryPaths.InRoot("eventing")])),
            (_, _) => null, new Skylark.Events.Lab.Cameras.DetectionScorer(160, 120, 160, 120));
        _observerApp = await LocalWebApp.StartAsync("observer", _ => { }, app => _observer.Map(app, "/"));
        _cluster = await EmulatedCluster.StartAsync(
            new UpOptions
            {
                TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
                EventingPath = RepositoryPaths.InRoot("eventing"),
                CameraIngest = new CameraIngestSetup(),
                ExtraTriggers = [DemoRun.ObserverTriggerFor(_observerApp.Url)],
                WorkDirectory = _work.Path,
            },
            NullLoggerFactory.Instance,
            CancellationToken.None);
        _cluster.DeadLetters.Stored += (_, stored) =>
        {
            var dead = stored.DeadLetter.Event;
            lock (_deadLetters)
            {
                _deadLetters.Add(dead);
            }

            _observer.OnDeadLetter(dead);
        };
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _observerApp.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task Bad_frames_end_in_dead_letters_with_the_reason_and_good_frames_still_complete()
    {
        // The operator's login: it reads dead letters; each camera logs in as itself.
        var edge = _cluster.CameraBrokers["edge"];
        Assert.Equal(["edge"], _cluster.CameraBrokers.Keys);
        await using var deadLetterTopic = await MqttProbe.ConnectAsync(edge, subscriptions: $"{CameraTopics.DeadLetterPrefix}/#");
        await using var good = new CameraPublisher(_cluster.CameraBroker("edge", "cam-good"));
        var jpeg = BridgeHarness.Frame("cam-bad", 0).Jpeg.ToArray();

        // Refused by the MQTT bridge itself: it cannot be a frame.
        await PublishAsCameraAsync("cam-cut", jpeg[..(jpeg.Length / 2)]);
        await PublishAsCameraAsync("cam-big", new byte[5 * 1024 * 1024]);

        // Refused by preprocess: a well-formed JPEG declaring 8000x8000 pixels (a decompression bomb), an unknown camera,
        // and a corrupt frame an HTTP camera stored on edge itself.
        await PublishAsCameraAsync("cam-huge", WithDeclaredSize(jpeg, 8000, 8000));
        await PostAsync(FrameEvent("ghost", "edge/wf-ghost/ingest.frame"));
        var store = _cluster.NodeServices("edge").GetRequiredService<BundleStore>().ForFunction(CameraIngestOptions.Function);
        await store.WriteAsync(StateRef.Parse("edge/wf-corrupt/ingest.frame"), Skylark.Events.Functions.Preprocess.CameraFrameBundle.Create(jpeg[..(jpeg.Length / 2)]));
        await PostAsync(FrameEvent("cam-corrupt", "edge/wf-corrupt/ingest.frame"));

        for (var seq = 0; seq < 3; seq++)
        {
            await good.PublishAsync(BridgeHarness.Frame("cam-good", seq));
        }

        await Poll.UntilAsync(() => _observer.Completed >= 3 && DeadLetterCount() >= 5);
        var bridgeDeadLetters = new[] { await deadLetterTopic.NextAsync(), await deadLetterTopic.NextAsync() };

        Assert.Equal(3, _observer.Completed);
        Assert.Equal(0, _observer.Rejected);
        Assert.Equal(
            [$"{CameraTopics.DeadLetterPrefix}/cam-big", $"{CameraTopics.DeadLetterPrefix}/cam-cut"],
            bridgeDeadLetters.Select(m => m.Topic).Order(StringComparer.Ordinal));
        Assert.All(bridgeDeadLetters, m => Assert.False(string.IsNullOrEmpty(m.UserProperty(CameraIngestBridge.DeadLetterReasonProperty))));

        List<CloudEvent> dead;
        lock (_deadLetters)
        {
            dead = [.. _deadLetters];
        }

        // The bridge's own refusals reach the durable dead-letter sink too, beside the broker's.
        Assert.Equal(5, dead.Count);
        Assert.All(dead, d => Assert.Equal("422", d["knativeerrorcode"]?.ToString()));
        var refusedByBridge = dead.Where(d => d.Type == EventTypes.CameraRejected).ToList();
        Assert.Equal(["cam-big", "cam-cut"], refusedByBridge.Select(d => (string?)d[ExtensionNames.Camera]).Order(StringComparer.Ordinal));
        dead = [.. dead.Except(refusedByBridge)];
        Assert.All(dead, d => Assert.Equal(EventTypes.CameraFrame, d.Type));
        Assert.Contains("8000x8000", ErrorData(Assert.Single(dead, d => (string?)d[ExtensionNames.Camera] == "cam-huge")), StringComparison.Ordinal);
        Assert.Contains("does not exist", ErrorData(Assert.Single(dead, d => (string?)d[ExtensionNames.Camera] == "ghost")), StringComparison.Ordinal);
        Assert.Contains("truncated", ErrorData(Assert.Single(dead, d => (string?)d[ExtensionNames.Camera] == "cam-corrupt")), StringComparison.Ordinal);
        Assert.Equal(5, File.ReadAllLines(_cluster.DeadLetters.Path).Length);
        Assert.Equal(3, _observer.Failed);
    }

    [Fact]
    public async Task Cameras_and_operators_log_in_with_the_run_s_own_passwords_and_stay_within_their_topics()
    {
        var address = new Skylark.Events.Bindings.Mqtt.MqttConnection("127.0.0.1", _cluster.CameraBrokers["edge"].Port);
        await using var camera = await MqttProbe.ConnectAsync(_cluster.CameraBroker("edge", "cam-1"));

        Assert.NotEqual(MQTTnet.MqttClientConnectResultCode.Success, await MqttProbe.TryConnectAsync(address));
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NotAuthorized, await camera.TryPublishAsync(BridgeHarness.RawFrame(CameraTopics.Frames("cam-2"), [0xFF, 0xD8])));
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.NotAuthorized, await camera.TrySubscribeAsync("cameras/#"));
        var passwords = _cluster.Endpoints.MqttPasswords!;
        Assert.Equal(_cluster.CameraBroker("edge", "cam-1").Password, passwords["cam-1"]);
        Assert.Equal(_cluster.CameraBrokers["edge"].Password, passwords["operator"]);
        Assert.DoesNotContain(Skylark.Events.Lab.Mqtt.MqttAccessList.IngestUser, passwords.Keys);
    }

    private async Task PublishAsCameraAsync(string camera, byte[] payload)
    {
        await using var client = await MqttProbe.ConnectAsync(_cluster.CameraBroker("edge", camera));
        await client.PublishAsync(BridgeHarness.RawFrame(CameraTopics.Frames(camera), payload));
    }

    private async Task PostAsync(CloudEvent cloudEvent)
    {
        using var http = UpScenarios.Client(_cluster.Endpoints);
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var response = await http.PostAsync(_cluster.BrokerIngress, content);
        Assert.True(response.IsSuccessStatusCode, $"broker answered {(int)response.StatusCode}");
    }

    /// <summary>The same JPEG with its start-of-frame header claiming another size.</summary>
    private static byte[] WithDeclaredSize(byte[] jpeg, int width, int height)
    {
        var patched = jpeg.ToArray();
        for (var i = 2; i + 8 < patched.Length; i++)
        {
            if (patched[i] == 0xFF && patched[i + 1] is 0xC0 or 0xC2)
            {
                patched[i + 5] = (byte)(height >> 8);
                patched[i + 6] = (byte)height;
                patched[i + 7] = (byte)(width >> 8);
                patched[i + 8] = (byte)width;
                return patched;
            }
        }

        throw new InvalidOperationException("No start-of-frame marker in the test JPEG.");
    }

    private int DeadLetterCount()
    {
        lock (_deadLetters)
        {
            return _deadLetters.Count;
        }
    }

    private static string ErrorData(CloudEvent dead) =>
        Encoding.UTF8.GetString(Convert.FromBase64String((string)dead["knativeerrordata"]!));

    private static CloudEvent FrameEvent(string camera, string stateKey)
    {
        var stateRef = StateRef.Parse(stateKey);
        var frame = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{camera}-frame-1",
            Type = EventTypes.CameraFrame,
            Source = new Uri($"/cameras/{camera}", UriKind.Relative),
            DataContentType = "application/json",
            Data = System.Text.Json.JsonSerializer.SerializeToElement(
                new CameraFrame(camera, 1, 160, 120, DateTimeOffset.UtcNow), ContractJson.Options),
        };
        frame[ExtensionNames.WorkflowId] = stateRef.WorkflowId;
        frame[ExtensionNames.Camera] = camera;
        frame[ExtensionNames.StateKey] = stateKey;
        frame[ExtensionNames.StateNode] = stateRef.Node;
        return frame;
    }
}
