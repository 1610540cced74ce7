using System.Buffers;
using System.Diagnostics;
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
using Skylark.Events.Contracts;
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
/// <item><c>cameras/&lt;camera&gt;/events</c> carries CloudEvents in either MQTT binding mode. Only
/// <c>io.skylark.camera.frame</c> with the JPEG as its data is taken, and claim-checked like a raw frame; any other
/// type is rejected (dead-lettered), so a camera cannot speak for the pipeline (e.g. inject a propagate command).</item>
/// </list>
/// A QoS 1 message is acknowledged to the broker, in order, only once it is safe: its frame stored in the node's Redis
/// and its event accepted (2xx) by the sink, or, for a message the bridge rejects, dead-lettered. While the node's
/// Redis, the sink or the dead-letter sink is down the message is held unacknowledged and tried again with a backoff
/// (<see cref="DependencyHold"/>); a transient failure never turns into a dead letter. The session is persistent (clean
/// start false, <see cref="CameraIngestOptions.SessionExpiry"/>), so what is held when the connection or the bridge
/// goes is delivered again on the next connection: delivery is at least once.
/// <para>
/// Nothing is dropped silently: a message that cannot be turned into an event (not a JPEG, too large, a topic without
/// a camera id), or whose event the sink refuses (a 4xx), is republished to <c>skylark/deadletter/&lt;camera&gt;</c>
/// with its payload and the reason (user property <c>deadletter-reason</c>), and stored with the dead-letter sink when
/// one is configured. Memory is bounded: messages wait in a bounded queue, and the client's MQTT receive maximum
/// (<see cref="CameraIngestOptions.QueueCapacity"/> + <see cref="CameraIngestOptions.MaxConcurrency"/>) stops the
/// broker from sending more than the bridge holds.
/// </para>
/// </remarks>
public sealed partial class CameraIngestBridge : BackgroundService
{
    public const string DeadLetterReasonProperty = "deadletter-reason";
    public const string DeadLetterTopicProperty = "deadletter-topic";
    public const string DeadLetterTimeProperty = "deadletter-time";
    public const string DeadLetterSizeProperty = "deadletter-size";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>The <c>knativeerrorcode</c> of a message the bridge itself rejects, as a function answers a bad frame.</summary>
    private const int UnprocessableStatus = 422;

    private readonly CameraIngestOptions _options;
    private static readonly ActivitySource Tracing = new(CloudEventTracing.SourcePrefix + "CameraIngest");

    private readonly BundleStore _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CameraSequences _sequences = new();
    private readonly OrderedAcknowledger _acknowledger = new();
    private readonly DependencyHold _hold;
    private readonly Channel<CameraMessage> _queue;
    private readonly IMqttClient _client;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CameraEventTranslator? _translator;
    private CloudEventSinkClient? _sink;
    private DeadLetterSinkClient? _deadLetterSink;
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
        _hold = new DependencyHold(options, Metrics, _time, _logger);
        Subscriptions = CameraTopics.Subscriptions(options.FramesTopic, options.EventsTopic);
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

    /// <summary>
    /// The filters actually subscribed to: the camera topics widened (<c>cameras/#</c>), so messages on topics the
    /// bridge cannot parse arrive and are dead-lettered rather than lost in the broker.
    /// </summary>
    public IReadOnlyList<string> Subscriptions { get; }

    /// <summary>The dead-letters service dead letters are stored with; null when they are only published on MQTT.</summary>
    public Uri? DeadLetterSink => _options.DeadLetterSinkUrl;

    /// <summary>Messages received on the current connection and not yet acknowledged (in the queue, in work, or held).</summary>
    public int Unacknowledged => _acknowledger.Count;

    /// <summary>
    /// Why the bridge is not taking frames now: one line per dependency (the node's Redis, the sink, the dead-letter
    /// sink) whose last attempt failed; empty when none did. Messages wait unacknowledged until it is back.
    /// </summary>
    public IReadOnlyList<string> Unavailable =>
        [.. _hold.Failing.OrderBy(f => f.Key).Select(f => f.Key switch
        {
            Dependency.Redis => $"the node's Redis does not store frames ({f.Value})",
            Dependency.Sink => $"the sink does not take events ({f.Value})",
            _ => $"the dead-letter sink does not take dead letters ({f.Value})",
        })];

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
        _translator = new CameraEventTranslator(_store, _options, _sequences, _hold);
        _sink = new CloudEventSinkClient(_http, Binding, _options, Metrics, _time, _logger);
        _deadLetterSink = _options.DeadLetterSinkUrl is { } deadLetterSink
            ? new DeadLetterSinkClient(_http, deadLetterSink, _options, Metrics, _logger)
            : null;
        var receiveMaximum = (ushort)(_options.QueueCapacity + _options.MaxConcurrency);
        _clientOptions = Broker.CreateClientOptions(_options.ClientId ?? $"skylark-ingest-{Node}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(receiveMaximum)
            .Build();
        LogStarting(_logger, Broker.Url, Binding.Sink, Binding.FromEnvironment ? SinkBinding.SinkVariable : "configuration", Node);
        if (_deadLetterSink is null)
        {
            LogNoDeadLetterSink(_logger);
        }
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
                LogConnected(_logger, Broker.Url, string.Join(", ", Subscriptions));
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
        string[] narrow = [_options.FramesTopic, _options.EventsTopic];
        if (!Subscriptions.SequenceEqual(narrow))
        {
            // A persistent session may still hold the narrow subscriptions of an earlier version; next to the wide one
            // they would bring every frame twice.
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(narrow[0]).WithTopicFilter(narrow[1]).Build();
            await _client.UnsubscribeAsync(unsubscribe, cancellationToken).ConfigureAwait(false);
        }

        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Subscriptions)
        {
            builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var subscribe = builder.Build();
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
            // A topic under the wide subscription that neither filter takes: dead-lettered with the reason.
            (kind, camera) = (CameraMessageKind.CloudEvent, null);
        }

        if (camera is { Length: 0 })
        {
            // '+' matched an empty level (cameras//frames): there is no camera to store the frame for.
            camera = null;
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
        var rejection = message.Camera is null ? RejectTopic(message) : await DeliverAsync(message, stoppingToken).ConfigureAwait(false);
        if (rejection is not null)
        {
            await DeadLetterAsync(message, rejection, stoppingToken).ConfigureAwait(false);
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

    /// <returns>Null for the bridge's own dead letters (never dead-lettered again); otherwise why the topic names no camera.</returns>
    private Rejection? RejectTopic(CameraMessage message)
    {
        if (message.Topic.StartsWith(_options.DeadLetterTopicPrefix + "/", StringComparison.Ordinal))
        {
            return null;
        }

        Metrics.RecordBadTopic();
        var filter = CameraTopics.TryMatch(_options.FramesTopic, message.Topic, out _) ? _options.FramesTopic
            : CameraTopics.TryMatch(_options.EventsTopic, message.Topic, out _) ? _options.EventsTopic
            : null;
        var reason = filter is not null
            ? $"topic '{message.Topic}' has an empty camera id where '{filter}' has '+'"
            : $"topic '{message.Topic}' is neither a frame topic ('{_options.FramesTopic}') nor an event topic ('{_options.EventsTopic}')";
        LogRejected(_logger, message.Topic, reason);
        return new Rejection(reason, UnprocessableStatus);
    }

    /// <returns>Null when the event reached the sink; otherwise why the message is dead-lettered.</returns>
    /// <exception cref="OperationCanceledException">Stopping; the message stays unacknowledged.</exception>
    private async Task<Rejection?> DeliverAsync(CameraMessage message, CancellationToken stoppingToken)
    {
        // The workflow's root span: a frame is where a workflow begins.
        using var span = CloudEventTracing.StartActivity(Tracing, "frame ingest", ActivityKind.Producer, cloudEvent: null, _store.Node);
        span?.SetTag("messaging.system", "mqtt").SetTag(CloudEventTracing.MessagingOperationTag, "receive").SetTag(CloudEventTracing.MessagingDestinationTag, message.Topic);
        try
        {
            // Storing the frame is held inside the translator while the node's Redis is down.
            var cloudEvent = await _translator!.TranslateAsync(message, stoppingToken).ConfigureAwait(false);
            if (span is not null)
            {
                span.SetTag(CloudEventTracing.WorkflowIdTag, cloudEvent[ExtensionNames.WorkflowId])
                    .SetTag(CloudEventTracing.EventIdTag, cloudEvent.Id)
                    .SetTag(CloudEventTracing.EventTypeTag, cloudEvent.Type);
                CloudEventTracing.SetContext(cloudEvent, span);
            }

            // The same event (same id) each round, so a sink that took it before its answer was lost can tell.
            await _hold.RunAsync(Dependency.Sink, message.Topic, async ct =>
            {
                try
                {
                    await _sink!.SendAsync(cloudEvent, ct).ConfigureAwait(false);
                    return null;
                }
                catch (SinkDeliveryException error) when (error.Transient)
                {
                    return error.Message;
                }
            }, stoppingToken).ConfigureAwait(false);
            Metrics.RecordFrameIngested();

            LogDelivered(_logger, cloudEvent.Type, cloudEvent.Id, message.Topic);
            return null;
        }
        catch (CameraMessageRejectedException error)
        {
            Metrics.RecordRejected();
            LogRejected(_logger, message.Topic, error.Message);
            return new Rejection(error.Message, UnprocessableStatus);
        }
        catch (SinkDeliveryException error)
        {
            Metrics.RecordSinkFailure();
            LogSinkFailed(_logger, message.Topic, error.Message);
            return new Rejection(error.Message, error.StatusCode);
        }
        catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Metrics.RecordSinkFailure();
            LogUnexpected(_logger, error, message.Topic);
            return new Rejection($"unexpected error: {error.Message}", 500);
        }
    }

    /// <summary>
    /// Publishes the dead letter on MQTT (as it always has: best effort, a failure is logged), then, with a dead-letter
    /// sink, holds the message until that sink keeps it: only then may the message be acknowledged.
    /// </summary>
    private async Task DeadLetterAsync(CameraMessage message, Rejection rejection, CancellationToken stoppingToken)
    {
        await PublishDeadLetterAsync(message, rejection.Reason, stoppingToken).ConfigureAwait(false);
        if (_deadLetterSink is { } sink)
        {
            var deadLetter = DeadLetterSinkClient.Create(message, Node, Binding!.Sink, rejection.Code, rejection.Reason);
            await _hold.RunAsync(
                Dependency.DeadLetterSink,
                message.Topic,
                ct => sink.TryStoreAsync(deadLetter, message.Topic, ct),
                stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task PublishDeadLetterAsync(CameraMessage message, string reason, CancellationToken stoppingToken)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Broker}, subscribed to {Subscriptions}")]
    private static partial void LogConnected(ILogger logger, Uri broker, string subscriptions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No dead-letter sink configured: rejected frames are only republished on MQTT, where they are lost unless something subscribes")]
    private static partial void LogNoDeadLetterSink(ILogger logger);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sink refused the event for a message on {Topic}: {Reason}")]
    private static partial void LogSinkFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure processing a message on {Topic}")]
    private static partial void LogUnexpected(ILogger logger, Exception error, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter a message on {Topic} (reason: {Reason}): {Failure}")]
    private static partial void LogDeadLetterFailed(ILogger logger, string topic, string reason, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not acknowledge a message on {Topic}: {Reason}")]
    private static partial void LogAcknowledgeFailed(ILogger logger, string topic, string reason);

    /// <summary>Why a message is dead-lettered, and the status its dead letter reports in <c>knativeerrorcode</c>.</summary>
    private sealed record Rejection(string Reason, int Code);
}
