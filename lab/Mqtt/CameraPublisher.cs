using System.Globalization;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>
/// Plays a plain MQTT camera: publishes each JPEG of a <see cref="CameraSimulator"/> to <c>cameras/&lt;camera&gt;/frames</c>
/// as the raw payload (Content Type <c>image/jpeg</c>), with <c>seq</c> and <c>capturedAt</c> as MQTT 5 user properties, at QoS 1.
/// </summary>
public sealed partial class CameraPublisher : IAsyncDisposable
{
    private readonly MqttConnection _broker;
    private readonly IMqttClient _client;
    private readonly string _clientId;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);

    public CameraPublisher(MqttConnection broker, string? clientId = null, ILogger<CameraPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _broker = broker;
        _clientId = clientId ?? $"skylark-camera-{Guid.NewGuid():N}";
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _client = new MqttClientFactory().CreateMqttClient();
    }

    /// <summary>The MQTT message for <paramref name="frame"/>, as a camera would publish it.</summary>
    public static MqttApplicationMessage ToMqttMessage(SimulatedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return new MqttApplicationMessageBuilder()
            .WithTopic(CameraTopics.Frames(frame.Camera))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(CameraFrameBundle.JpegContentType)
            .WithPayload(frame.Jpeg.ToArray())
            .WithUtf8UserProperty(CameraTopics.SeqProperty, frame.Seq.ToString(CultureInfo.InvariantCulture))
            .WithUtf8UserProperty(CameraTopics.CapturedAtProperty, frame.CapturedAt.ToString("O", CultureInfo.InvariantCulture))
            .Build();
    }

    /// <summary>
    /// Logs in now rather than at the first frame: a camera that films while connecting would drop the frames
    /// captured meanwhile, and an unreachable broker is better known before filming starts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The broker could not be reached or refused the login.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => EnsureConnectedAsync(cancellationToken);

    /// <exception cref="InvalidOperationException">The broker did not accept the frame.</exception>
    public async Task PublishAsync(SimulatedFrame frame, CancellationToken cancellationToken = default)
    {
        var message = ToMqttMessage(frame);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new InvalidOperationException($"Broker {_broker} did not accept frame {frame.Seq} of camera '{frame.Camera}': {result.ReasonCode} {result.ReasonString}");
        }

        LogPublished(_logger, frame.Camera, frame.Seq, frame.Jpeg.Length);
    }

    /// <summary>Publishes the camera's frames as it captures them, until <paramref name="maxFrames"/> or cancellation.</summary>
    /// <returns>How many frames were published.</returns>
    public async Task<long> PublishAsync(CameraSimulator camera, long maxFrames = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(camera);
        long published = 0;
        await foreach (var frame in camera.StreamAsync(maxFrames, cancellationToken).ConfigureAwait(false))
        {
            await PublishAsync(frame, cancellationToken).ConfigureAwait(false);
            published++;
        }

        return published;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "camera stopping").ConfigureAwait(false);
        }

        _client.Dispose();
        _connecting.Dispose();
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            return;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await _broker.ConnectAsync(_client, _broker.CreateClientOptions(_clientId).Build(), cancellationToken).ConfigureAwait(false);
                }
                catch (MqttCommunicationException error)
                {
                    throw new InvalidOperationException($"Camera could not connect to MQTT broker {_broker}: {error.Message}", error);
                }
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camera {Camera} published frame {Seq} ({Bytes} bytes)")]
    private static partial void LogPublished(ILogger logger, string camera, long seq, int bytes);
}
