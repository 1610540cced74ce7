using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Functions.Alarm.Mqtt;

/// <summary>
/// Publishes alarms on MQTT <c>alarms/&lt;camera&gt;</c> at QoS 1: the payload is the notice as JSON
/// (<c>{camera, workflowId, seq, zones, boxes, frameWidth, frameHeight, raisedAt, node, evidence, snapshot}</c>), so a
/// plain subscriber needs nothing else. Over MQTT 5 the message is at the same time a binary-mode CloudEvent
/// <c>io.skylark.alarm.raised</c> (attributes as user properties) for subscribers that speak CloudEvents; it is encoded
/// by <see cref="CloudEventsMqttBinding"/>, the binding the camera bridge decodes with.
/// </summary>
/// <remarks>
/// The event id is the workflow id (one alarm per workflow run), so a QoS 1 redelivery or a retried alarm is
/// recognisably the same alarm. Connects on first use and reconnects when the connection was lost.
/// </remarks>
public sealed partial class MqttAlarmPublisher : IAlarmPublisher, IAsyncDisposable
{
    public const string TopicPrefix = "alarms";

    private readonly MqttClientOptions _clientOptions;
    private readonly IMqttClient _client;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);

    /// <param name="clientOptions">
    /// The broker and client id, e.g. <c>new MqttClientOptionsBuilder().WithConnectionUri("mqtt://host:1883")
    /// .WithProtocolVersion(MqttProtocolVersion.V500).Build()</c>.
    /// </param>
    /// <param name="logger">Where published alarms are logged.</param>
    public MqttAlarmPublisher(MqttClientOptions clientOptions, ILogger<MqttAlarmPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        _clientOptions = clientOptions;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _client = new MqttClientFactory().CreateMqttClient();
    }

    /// <exception cref="ArgumentException">The camera id cannot be an MQTT topic level.</exception>
    public static string TopicFor(string camera)
    {
        if (string.IsNullOrEmpty(camera) || camera.IndexOfAny(['/', '+', '#', '\0']) >= 0)
        {
            throw new ArgumentException($"Camera '{camera}' cannot name an alarm topic: it must be non-empty without '/', '+', '#'.", nameof(camera));
        }

        return $"{TopicPrefix}/{camera}";
    }

    /// <summary>The alarm as the CloudEvent <c>io.skylark.alarm.raised</c>; its data is the notice as JSON.</summary>
    public static CloudEvent ToCloudEvent(AlarmNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = notice.WorkflowId, // one alarm per workflow run
            Source = EventSources.Alarm,
            Type = EventTypes.AlarmRaised,
            Time = notice.RaisedAt.ToUniversalTime(),
            DataContentType = MediaTypeNames.Application.Json,
            Data = JsonSerializer.SerializeToUtf8Bytes(notice, ContractJson.Options),
        };
        cloudEvent[ExtensionNames.WorkflowId] = notice.WorkflowId;
        cloudEvent[ExtensionNames.Camera] = notice.Camera;
        return cloudEvent;
    }

    /// <summary>
    /// The message for <paramref name="notice"/>: binary mode of the CloudEvents MQTT binding, which over MQTT 3.1.1
    /// (<paramref name="mqtt5"/> false) leaves the notice alone, without properties.
    /// </summary>
    /// <exception cref="ArgumentException">The camera id cannot be an MQTT topic level.</exception>
    public static MqttApplicationMessage ToMqttMessage(AlarmNotice notice, bool mqtt5 = true)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var topic = TopicFor(notice.Camera);
        return CloudEventsMqttBinding.ToMqttMessage(
            ToCloudEvent(notice),
            ContentMode.Binary,
            RawDataJsonEventFormatter.Instance,
            topic,
            MqttQualityOfServiceLevel.AtLeastOnce,
            mqtt5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311);
    }

    /// <exception cref="InvalidOperationException">The broker could not be reached or did not accept the alarm.</exception>
    public async Task PublishAsync(AlarmNotice notice, CancellationToken ct)
    {
        var message = ToMqttMessage(notice, _clientOptions.ProtocolVersion == MqttProtocolVersion.V500);
        await EnsureConnectedAsync(ct).ConfigureAwait(false);
        MqttClientPublishResult result;
        try
        {
            result = await _client.PublishAsync(message, ct).ConfigureAwait(false);
        }
        catch (MqttCommunicationException error)
        {
            throw new InvalidOperationException($"Could not publish the alarm for camera '{notice.Camera}' on {message.Topic}: {error.Message}", error);
        }

        // No subscriber is not a failure: the broker took the alarm; nobody happens to listen right now.
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new InvalidOperationException($"The broker refused the alarm for camera '{notice.Camera}' on {message.Topic}: {result.ReasonCode} {result.ReasonString}");
        }

        LogPublished(_logger, notice.Camera, string.Join(",", notice.Zones), notice.WorkflowId, message.Topic);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "alarm publisher stopping").ConfigureAwait(false);
        }

        _client.Dispose();
        _connecting.Dispose();
    }

    private async Task EnsureConnectedAsync(CancellationToken ct)
    {
        if (_client.IsConnected)
        {
            return;
        }

        await _connecting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_client.IsConnected)
            {
                var result = await _client.ConnectAsync(_clientOptions, ct).ConfigureAwait(false);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"The MQTT broker for alarms refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
                }
            }
        }
        catch (MqttCommunicationException error)
        {
            throw new InvalidOperationException($"Could not connect to the MQTT broker for alarms: {error.Message}", error);
        }
        finally
        {
            _connecting.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm for camera {Camera} zone {Zone} (workflow {WorkflowId}) published on {Topic}")]
    private static partial void LogPublished(ILogger logger, string camera, string zone, string workflowId, string topic);
}
