using System.Buffers;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.CameraIngest.Sink;
using Skylark.Events.State;

namespace Skylark.Events.CameraIngest;

/// <summary>
/// The MQTT source of the pipeline: subscribes to the cameras' topics and sends each message to the sink (the broker
/// ingress, or whatever <c>K_SINK</c> names) as a CloudEvent in HTTP binary mode.
/// </summary>
/// <remarks>
/// Two topics, because a message alone does not always say what it is (an MQTT 3.1.1 camera cannot mark a CloudEvent):
/// <list type="bullet">
/// <item><c>cameras/&lt;camera&gt;/frames</c> carries raw JPEG frames from plain cameras, optionally with the MQTT 5 user
/// properties <c>seq</c> and <c>capturedAt</c>. The bridge stores each frame as the bundle <c>ingest.frame</c> of a new
/// workflow on this node and announces it with <c>io.skylark.camera.frame</c> whose <c>statekey</c> is the bundle's
/// StateRef (claim check: pixels never travel through the broker).</item>
/// <item><c>cameras/&lt;camera&gt;/events</c> carries CloudEvents in either MQTT binding mode. A CloudEvent whose data is
/// a JPEG is claim-checked like a raw frame; any other event is forwarded as it is.</item>
/// </list>
/// Nothing is dropped silently: a message that cannot be turned into an event, or whose event the sink does not take
/// after the configured retries, is republished to <c>skylark/deadletter/&lt;camera&gt;</c> with its payload and the
/// reason (user property <c>deadletter-reason</c>). Memory is bounded: messages wait in a bounded queue, are
/// acknowledged (QoS 1) only when done, and the client's MQTT receive maximum stops the broker from sending more than
/// the queue holds.
/// </remarks>
public sealed partial class CameraIngestBridge : BackgroundService
{
    public const string DeadLetterReasonProperty = "deadletter-reason";
    public const string DeadLetterTopicProperty = "deadletter-topic";
    public const string DeadLetterTimeProperty = "deadletter-time";
    public const string DeadLetterSizeProperty = "deadletter-size";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly CameraIngestOptions _options;
    private readonly BundleStore _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CameraSequences _sequences = new();
    private readonly OrderedAcknowledger _acknowledger = new();
    private readonly Channel<CameraMessage> _queue;
    private readonly IMqttClient _client;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CameraEventTranslator? _translator;
    private CloudEventSinkClient? _sink;
    private MqttClientOptions? _clientOptions;
    private TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _stopping;
    private long _connection;
    private volatile bool _holdsSubscriptions;

    public CameraIngestBridge(
        CameraIngestOptions options,
        BundleStore store,
        HttpClient http,
        CameraIngestMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILogger<CameraIngestBridge>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(http);
        options.Validate();
        _options = options;
        _store = store.ForFunction(CameraIngestOptions.Function);
        _http = http;
        Metrics = metrics ?? new CameraIngestMetrics();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _queue = Channel.CreateBounded<CameraMessage>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += disconnected =>
        {
            _holdsSubscriptions = false;
            if (disconnected.ClientWasConnected)
            {
                LastConnectFailure = $"connection lost: {disconnected.Exception?.Message ?? disconnected.ReasonString ?? disconnected.Reason.ToString()}";
            }

            Volatile.Read(ref _disconnected).TrySetResult();
            return Task.CompletedTask;
        };
    }

    public CameraIngestMetrics Metrics { get; }

    /// <summary>The node frames are stored on (<c>statenode</c> of every frame event).</summary>
    public string Node => _store.Node;

    /// <summary>Where events go; known once the bridge started.</summary>
    public SinkBinding? Binding { get; private set; }

    /// <summary>Raw JPEG frames arrive here (a filter; its '+' level is the camera).</summary>
    public string FramesTopic => _options.FramesTopic;

    /// <summary>Camera CloudEvents arrive here (a filter; its '+' level is the camera).</summary>
    public string EventsTopic => _options.EventsTopic;

    /// <summary>The broker subscribed to.</summary>
    public MqttConnection Broker => _options.Broker!;

    /// <summary>
    /// True while the bridge is connected to <see cref="Broker"/> and holds its subscriptions, so a camera publishing
    /// now is heard; false before the first connection and from a lost connection until it is back.
    /// </summary>
    public bool IsSubscribed => _holdsSubscriptions && _client.IsConnected;

    /// <summary>Why the last attempt to connect failed; null once connected.</summary>
    public string? LastConnectFailure { get; private set; }

    /// <summary>Completes when the bridge first holds its subscriptions, so a camera publishing from then on is heard.</summary>
    public Task WaitUntilSubscribedAsync(CancellationToken cancellationToken = default) => _subscribed.Task.WaitAsync(cancellationToken);

    /// <summary>Resolves the sink (<c>K_SINK</c>) before anything runs, so a misconfiguration fails the start with a clear error.</summary>
    /// <exception cref="InvalidOperationException">No sink, or a malformed <c>K_SINK</c>/<c>K_CE_OVERRIDES</c>.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Binding = _options.Binding
            ?? (_options.Environment is { } environment
                ? SinkBinding.Resolve(_options.SinkUrl, environment)
                : SinkBinding.Resolve(_options.SinkUrl));
        _translator = new CameraEventTranslator(_store, _options, _sequences);
        _sink = new CloudEventSinkClient(_http, Binding, _options, Metrics, _time, _logger);
        var receiveMaximum = (ushort)(_options.QueueCapacity + _options.MaxConcurrency);
        _clientOptions = Broker.CreateClientOptions(_options.ClientId ?? $"skylark-ingest-{Node}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(receiveMaximum)
            .Build();
        LogStarting(_logger, Broker.Url, Binding.Sink, Binding.FromEnvironment ? SinkBinding.SinkVariable : "configuration", Node);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var workers = Enumerable.Range(0, _options.MaxConcurrency).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)).ToList();
        try
        {
            await StayConnectedAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _queue.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(false);
            if (_client.IsConnected)
            {
                await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "bridge stopping").ConfigureAwait(false);
            }
        }
    }

    private async Task StayConnectedAsync(CancellationToken stoppingToken)
    {
        var delay = _options.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _disconnected, disconnected);

            // A new connection number first: messages the broker resends right after CONNACK belong to it.
            var connection = Interlocked.Increment(ref _connection);
            _acknowledger.Reset(connection);
            try
            {
                await Broker.ConnectAsync(_client, _clientOptions!, stoppingToken).ConfigureAwait(false);
                await SubscribeAsync(stoppingToken).ConfigureAwait(false);
                Metrics.RecordConnected();
                LastConnectFailure = null;
                _holdsSubscriptions = true;
                _subscribed.TrySetResult();
                LogConnected(_logger, Broker.Url, _options.FramesTopic, _options.EventsTopic);
                delay = _options.ReconnectDelay;
                await disconnected.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
                LogDisconnected(_logger, Broker.Url, delay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is MqttCommunicationException or InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                LastConnectFailure = error.Message;
                LogConnectFailed(_logger, Broker.Url, error.Message, delay);
                if (_client.IsConnected)
                {
                    await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.UnspecifiedError, error.Message).ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
        }
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_options.FramesTopic, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_options.EventsTopic, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode == MqttClientSubscribeResultCode.GrantedQoS0)
            {
                LogDowngraded(_logger, item.TopicFilter.Topic);
            }
            else if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new InvalidOperationException($"The broker refused the subscription to '{item.TopicFilter.Topic}': {item.ResultCode}.");
            }
        }
    }

    private async Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        Metrics.RecordReceived();
        var message = received.ApplicationMessage;
        CameraMessageKind kind;
        string? camera;
        if (CameraTopics.TryMatch(_options.FramesTopic, message.Topic, out var level))
        {
            (kind, camera) = (CameraMessageKind.RawFrame, level);
        }
        else if (CameraTopics.TryMatch(_options.EventsTopic, message.Topic, out level))
        {
            (kind, camera) = (CameraMessageKind.CloudEvent, level);
        }
        else
        {
            // Only reachable when a persistent session still holds subscriptions of an earlier configuration.
            (kind, camera) = (CameraMessageKind.CloudEvent, null);
        }

        // MQTTnet reuses its buffers once the handler returns: keep copies.
        var length = message.Payload.Length;
        var payload = length <= MaxPayloadBytes(kind) ? message.Payload.ToArray() : null;
        var properties = message.UserProperties?.Select(p => MqttUserProperties.Create(p.Name, p.ReadValueAsString())).ToList() ?? [];
        long? seq = null;
        if (kind == CameraMessageKind.RawFrame && payload is not null && camera is not null)
        {
            seq = _sequences.Next(camera, CameraEventTranslator.TryParseSeq(MqttUserProperties.Find(properties, CameraTopics.SeqProperty)));
        }

        received.AutoAcknowledge = false;
        var acknowledgement = _acknowledger.Track(received.AcknowledgeAsync, Volatile.Read(ref _connection));
        var cameraMessage = new CameraMessage(
            message.Topic, camera, kind, payload, length, message.ContentType, properties, _time.GetUtcNow(), seq, acknowledgement);
        try
        {
            // Waiting here is the backpressure: MQTTnet hands over the next message only when this one is queued.
            await _queue.Writer.WriteAsync(cameraMessage, _stopping).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or ChannelClosedException)
        {
            // Stopping: not acknowledged, so a broker keeping the session delivers it again.
        }
    }

    private long MaxPayloadBytes(CameraMessageKind kind) =>
        kind == CameraMessageKind.RawFrame
            ? _options.MaxFrameBytes

            // A structured event carries the frame in base64 (4/3 of its size) plus its attributes.
            : (_options.MaxFrameBytes * 4L / 3) + 64 * 1024;

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await ProcessAsync(message, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; unacknowledged messages are the broker's to deliver again.
        }
    }

    private async Task ProcessAsync(CameraMessage message, CancellationToken stoppingToken)
    {
        string? reason;
        if (message.Camera is null)
        {
            Metrics.RecordRejected();
            reason = $"topic '{message.Topic}' matches neither '{_options.FramesTopic}' nor '{_options.EventsTopic}'";
            LogRejected(_logger, message.Topic, reason);
        }
        else
        {
            reason = await DeliverAsync(message, stoppingToken).ConfigureAwait(false);
        }

        if (reason is not null)
        {
            await DeadLetterAsync(message, reason, stoppingToken).ConfigureAwait(false);
        }

        try
        {
            await _acknowledger.CompleteAsync(message.Acknowledgement, Volatile.Read(ref _connection), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection it came on is gone; the broker delivers it again on the next one.
            LogAcknowledgeFailed(_logger, message.Topic, error.Message);
        }
    }

    /// <returns>Null when the event reached the sink; otherwise the dead-letter reason.</returns>
    private async Task<string?> DeliverAsync(CameraMessage message, CancellationToken stoppingToken)
    {
        try
        {
            var (cloudEvent, isFrame) = await _translator!.TranslateAsync(message, stoppingToken).ConfigureAwait(false);
            await _sink!.SendAsync(cloudEvent, stoppingToken).ConfigureAwait(false);
            if (isFrame)
            {
                Metrics.RecordFrameIngested();
            }
            else
            {
                Metrics.RecordEventForwarded();
            }

            LogDelivered(_logger, cloudEvent.Type, cloudEvent.Id, message.Topic);
            return null;
        }
        catch (CameraMessageRejectedException error)
        {
            Metrics.RecordRejected();
            LogRejected(_logger, message.Topic, error.Message);
            return error.Message;
        }
        catch (SinkDeliveryException error)
        {
            Metrics.RecordSinkFailure();
            LogSinkFailed(_logger, message.Topic, error.Message);
            return error.Message;
        }
        catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Metrics.RecordSinkFailure();
            LogUnexpected(_logger, error, message.Topic);
            return $"unexpected error: {error.Message}";
        }
    }

    private async Task DeadLetterAsync(CameraMessage message, string reason, CancellationToken stoppingToken)
    {
        // The camera level came from a topic, so it is a valid level unless empty (cameras//frames) or unmatched.
        var level = CameraTopics.IsValidLevel(message.Camera) ? message.Camera : "_invalid";
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic($"{_options.DeadLetterTopicPrefix}/{level}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithPayload(message.Payload ?? [])
            .WithUtf8UserProperty(DeadLetterReasonProperty, reason)
            .WithUtf8UserProperty(DeadLetterTopicProperty, message.Topic)
            .WithUtf8UserProperty(DeadLetterTimeProperty, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))
            .WithUtf8UserProperty(DeadLetterSizeProperty, message.PayloadLength.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(message.ContentType))
        {
            builder.WithContentType(message.ContentType);
        }

        // The original user properties travel along, so a dead letter can be republished as it came.
        foreach (var property in message.UserProperties)
        {
            builder.WithUserProperty(property);
        }

        try
        {
            var result = await _client.PublishAsync(builder.Build(), stoppingToken).ConfigureAwait(false);
            if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                throw new InvalidOperationException($"the broker answered {result.ReasonCode} {result.ReasonString}");
            }

            Metrics.RecordDeadLettered();
        }
        catch (Exception error) when (error is MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            Metrics.RecordDeadLetterFailure();
            LogDeadLetterFailed(_logger, message.Topic, reason, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera ingest bridge on node {Node}: MQTT {Broker} -> sink {Sink} (from {SinkOrigin})")]
    private static partial void LogStarting(ILogger logger, Uri broker, Uri sink, string sinkOrigin, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Broker}, subscribed to {FramesTopic} and {EventsTopic}")]
    private static partial void LogConnected(ILogger logger, Uri broker, string framesTopic, string eventsTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection to {Broker}; reconnecting in {Delay}")]
    private static partial void LogDisconnected(ILogger logger, Uri broker, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not connect to {Broker} ({Reason}); retrying in {Delay}")]
    private static partial void LogConnectFailed(ILogger logger, Uri broker, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker granted only QoS 0 for {Topic}: messages may be lost while the bridge is busy")]
    private static partial void LogDowngraded(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Type} {Id} for {Topic}")]
    private static partial void LogDelivered(ILogger logger, string? type, string? id, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a message on {Topic}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deliver the event for a message on {Topic}: {Reason}")]
    private static partial void LogSinkFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure processing a message on {Topic}")]
    private static partial void LogUnexpected(ILogger logger, Exception error, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter a message on {Topic} (reason: {Reason}): {Failure}")]
    private static partial void LogDeadLetterFailed(ILogger logger, string topic, string reason, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not acknowledge a message on {Topic}: {Reason}")]
    private static partial void LogAcknowledgeFailed(ILogger logger, string topic, string reason);
}
