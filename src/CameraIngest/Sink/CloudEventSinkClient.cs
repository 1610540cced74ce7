using System.Net;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;

namespace Skylark.Events.CameraIngest.Sink;

/// <summary>
/// POSTs events to the sink in binary mode, retrying what may succeed later (network errors, timeouts, 408, 429, 5xx)
/// with exponential backoff for one round of <see cref="CameraIngestOptions.SinkAttempts"/>; a sink that refuses an
/// event (any other 4xx) is not asked again.
/// </summary>
internal sealed partial class CloudEventSinkClient(
    HttpClient http,
    SinkBinding binding,
    CameraIngestOptions options,
    CameraIngestMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private const int MaxReasonBodyChars = 200;

    public Uri Sink => binding.Sink;

    /// <exception cref="SinkDeliveryException">Every attempt of the round failed (<see cref="SinkDeliveryException.Transient"/>), or the sink refused the event.</exception>
    public async Task SendAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        binding.ApplyTo(cloudEvent);
        var delay = options.SinkBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var (retryable, reason, status) = await TrySendAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            if (!retryable || attempt >= options.SinkAttempts)
            {
                throw new SinkDeliveryException(
                    retryable ? $"sink {Sink} failed {attempt} attempt(s); last: {reason}" : $"sink {Sink} refused the event: {reason}",
                    retryable,
                    status);
            }

            metrics.RecordSinkRetry();
            LogRetrying(logger, cloudEvent.Id, attempt, reason, delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    /// <returns>A null reason on success; otherwise why, whether another attempt may help, and the status (500 without an answer).</returns>
    private async Task<(bool Retryable, string? Reason, int Status)> TrySendAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SinkTimeout);
        try
        {
            using var content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
            using var response = await http.PostAsync(Sink, content, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return (false, null, (int)response.StatusCode);
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (body.Length > MaxReasonBodyChars)
            {
                body = string.Concat(body.AsSpan(0, MaxReasonBodyChars), "…");
            }

            var status = (int)response.StatusCode;
            var retryable = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            return (retryable, $"HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body.ReplaceLineEndings(" ") : "")}", status);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (true, $"no answer within {options.SinkTimeout}", 500);
        }
        catch (HttpRequestException error)
        {
            return (true, error.Message, 500);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of event {Id} failed (attempt {Attempt}: {Reason}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string? id, int attempt, string reason, TimeSpan delay);
}
