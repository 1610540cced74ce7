using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Broker.Resources;
using Skylark.Events.Cli.Demo;
using Skylark.Events.Cli.Hosting;
using Skylark.Events.Cli.Mqtt;
using Skylark.Events.Cli.Up;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Http;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Tests.Cli.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Up;

/// <summary>
/// Bad camera input inside a running <c>skylark up</c> (three-nodes, MQTT ingest on edge): a corrupt JPEG and a frame
/// of an unknown camera are refused by preprocess with 422 and reach the dead-letter sink after the Broker's retries;
/// an oversized frame is dead-lettered by the MQTT bridge; a good camera publishing alongside loses nothing.
/// </summary>
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
            (_, _) => null, new Skylark.Events.Cli.Cameras.DetectionScorer(160, 120, 160, 120));
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
        _cluster.DeadLetters.Observer = dead =>
        {
            lock (_deadLetters)
            {
                _deadLetters.Add(dead);
            }
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
        var edge = _cluster.CameraBrokers["edge"];
        Assert.Equal(["edge"], _cluster.CameraBrokers.Keys);
        await using var deadLetterTopic = await MqttProbe.ConnectAsync(edge, subscriptions: $"{CameraTopics.DeadLetterPrefix}/#");
        await using var good = new CameraPublisher(edge);
        await using var camera = await MqttProbe.ConnectAsync(edge);

        var truncated = BridgeHarness.Frame("cam-bad", 0).Jpeg.ToArray();
        await camera.PublishAsync(BridgeHarness.RawFrame(CameraTopics.Frames("cam-bad"), truncated[..(truncated.Length / 2)]));
        await camera.PublishAsync(BridgeHarness.RawFrame(CameraTopics.Frames("cam-big"), new byte[5 * 1024 * 1024]));
        for (var seq = 0; seq < 3; seq++)
        {
            await good.PublishAsync(BridgeHarness.Frame("cam-good", seq));
        }

        using (var http = new HttpClient())
        using (var content = UnknownCameraFrame().ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance))
        {
            Assert.True((await http.PostAsync(_cluster.BrokerIngress, content)).IsSuccessStatusCode);
        }

        await MqttProbe.UntilAsync(() => _observer.Completed >= 3 && DeadLetterCount() >= 2);
        var oversized = await deadLetterTopic.NextAsync();

        Assert.Equal(3, _observer.Completed);
        Assert.Equal(0, _observer.Rejected);
        Assert.Equal($"{CameraTopics.DeadLetterPrefix}/cam-big", oversized.Topic);
        var reason = oversized.UserProperty(CameraIngestBridge.DeadLetterReasonProperty);
        Assert.Contains("bytes", reason, StringComparison.Ordinal);

        List<CloudEvent> dead;
        lock (_deadLetters)
        {
            dead = [.. _deadLetters];
        }

        var corrupt = Assert.Single(dead, d => (string?)d[ExtensionNames.Camera] == "cam-bad");
        Assert.Equal(EventTypes.CameraFrame, corrupt.Type);
        Assert.Equal("422", corrupt["knativeerrorcode"]?.ToString());
        Assert.Contains("truncated", ErrorData(corrupt), StringComparison.Ordinal);
        var unknown = Assert.Single(dead, d => (string?)d[ExtensionNames.Camera] == "ghost");
        Assert.Equal("422", unknown["knativeerrorcode"]?.ToString());
        Assert.Contains("does not exist", ErrorData(unknown), StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(_cluster.DeadLetters.Path).Length);
        Assert.Equal(2, _observer.Failed);
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

    private static CloudEvent UnknownCameraFrame()
    {
        var frame = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = "ghost-frame-1",
            Type = EventTypes.CameraFrame,
            Source = new Uri("/cameras/ghost", UriKind.Relative),
            DataContentType = "application/json",
            Data = System.Text.Json.JsonSerializer.SerializeToElement(
                new CameraFrame("ghost", 1, 160, 120, DateTimeOffset.UtcNow), ContractJson.Options),
        };
        frame[ExtensionNames.WorkflowId] = "wf-ghost";
        frame[ExtensionNames.Camera] = "ghost";
        frame[ExtensionNames.StateKey] = "edge/wf-ghost/ingest.frame";
        frame[ExtensionNames.StateNode] = "edge";
        return frame;
    }
}
