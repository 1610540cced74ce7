using System.Globalization;
using System.Net;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.Contracts;

namespace Skylark.Events.CameraIngest.Sink;

/// <summary>
/// Stores a rejected camera message with the dead-letters service (<see cref="CameraIngestOptions.DeadLetterSinkUrl"/>),
/// as the broker dead-letters an event: a CloudEvent POSTed in binary mode with Knative's error extensions
/// <c>knativeerrordest</c> (where the event was headed: the sink), <c>knativeerrorcode</c> (the sink's status, or 422
/// when the bridge itself rejected the message) and <c>knativeerrordata</c> (the base64 of the reason).
/// </summary>
/// <remarks>
/// The event carries the MQTT message as it came (<c>datacontenttype</c> its content type, data its payload; nothing
/// when it was over the size limit), <c>mqtttopic</c> its topic and <c>camera</c> the camera when the topic named one,
/// so it can be looked at or published again.
/// </remarks>
internal sealed partial class DeadLetterSinkClient(HttpClient http, Uri deadLetterSink, CameraIngestOptions options, CameraIngestMetrics metrics, ILogger logger)
{
    public const string EventType = EventTypes.CameraRejected;
    public const string DestinationExtension = "knativeerrordest";
    public const string CodeExtension = "knativeerrorcode";
    public const string DataExtension = "knativeerrordata";
    public const string TopicExtension = "mqtttopic";

    /// <summary>Knative keeps at most this many bytes of the error in <c>knativeerrordata</c>; so does the bridge.</summary>
    private const int MaxDataBytes = 1024;

    public Uri Sink => deadLetterSink;

    /// <summary>The dead letter of <paramref name="message"/>; build it once so every attempt sends the same event id.</summary>
    public static CloudEvent Create(CameraMessage message, string node, Uri destination, int code, string reason)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri($"/camera-ingest/{Uri.EscapeDataString(node)}", UriKind.Relative),
            Type = EventType,
            Time = message.ReceivedAt,
            DataContentType = string.IsNullOrEmpty(message.ContentType) ? "application/octet-stream" : message.ContentType,
            Data = message.Payload ?? [],
        };
        cloudEvent[DestinationExtension] = destination.AbsoluteUri;
        cloudEvent[CodeExtension] = code.ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(reason);
        cloudEvent[DataExtension] = Convert.ToBase64String(bytes, 0, Math.Min(bytes.Length, MaxDataBytes));
        cloudEvent[TopicExtension] = message.Topic;
        if (message.Camera is { } camera && StateRef.IsValidSegment(camera))
        {
            cloudEvent[ExtensionNames.Camera] = camera;
        }

        return cloudEvent;
    }

    /// <summary>One attempt, for <see cref="DependencyHold"/>.</summary>
    /// <returns>Null once stored, or given up because the sink refused it (logged as an error: no retry can mend a
    /// refusal); otherwise why it failed in a way a later try may not (unreachable, 408, 429, 5xx).</returns>
    public async Task<string?> TryStoreAsync(CloudEvent deadLetter, string topic, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SinkTimeout);
        try
        {
            using var content = deadLetter.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
            using var response = await http.PostAsync(deadLetterSink, content, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                metrics.RecordDeadLetterStored();
                return null;
            }

            var status = (int)response.StatusCode;
            var answer = $"dead-letter sink {deadLetterSink} answered HTTP {status} {response.ReasonPhrase}";
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                return answer;
            }

            metrics.RecordDeadLetterRefused();
            LogRefused(logger, topic, answer);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"dead-letter sink {deadLetterSink} gave no answer within {options.SinkTimeout}";
        }
        catch (HttpRequestException error)
        {
            return $"dead-letter sink {deadLetterSink}: {error.Message}";
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The dead letter of a message on {Topic} was refused and is kept nowhere but the MQTT dead-letter topic: {Answer}")]
    private static partial void LogRefused(ILogger logger, string topic, string answer);
}
