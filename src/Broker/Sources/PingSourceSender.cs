using System.Net;
using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;

namespace Skylark.Events.Broker.Sources;

/// <summary>
/// Posts one ping event to its sink in binary mode, retrying as Knative's mtping adapter does (the CloudEvents Go SDK
/// rules): unreachable sinks, timeouts and 404, 425, 429, 503, 504 answers are retried with exponential backoff;
/// any other answer is final. The same event (same id and time) goes out on every attempt. A sink with an audience
/// gets a bearer token as the source's identity when <c>tokens</c> can grant one; one that cannot be had fails the
/// attempt like an unreachable sink.
/// </summary>
internal sealed class PingSourceSender(HttpClient http, TimeProvider time, PingSourceOptions options, ILogger logger, Delivery.DeliveryTokens? tokens = null)
{
    // retryScheduled is told when a backoff starts (with its end) and ends (null), for the source's status.
    public async Task<PingDelivery> SendAsync(
        CloudEvent cloudEvent,
        Uri sink,
        string source,
        (string Subject, string? Audience) identity,
        Action<DateTimeOffset?> retryScheduled,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (statusCode, error, retriable) = await AttemptAsync(cloudEvent, sink, identity, cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                return new PingDelivery(true, statusCode, attempt, null);
            }

            if (!retriable || attempt > options.Retry)
            {
                return new PingDelivery(false, statusCode, attempt, error);
            }

            var backoff = options.BackoffDelay * Math.Pow(2, attempt - 1);
            PingSourceLog.Retrying(logger, source, attempt, sink, error, backoff);
            var delay = Task.Delay(backoff, time, cancellationToken);
            retryScheduled(time.GetUtcNow() + backoff);
            await delay.ConfigureAwait(false);
            retryScheduled(null);
        }
    }

    private async Task<(int? StatusCode, string? Error, bool Retriable)> AttemptAsync(
        CloudEvent cloudEvent,
        Uri sink,
        (string Subject, string? Audience) identity,
        CancellationToken cancellationToken)
    {
        var token = tokens is null ? Delivery.DeliveryToken.None : await tokens.GetAsync(identity.Subject, identity.Audience, cancellationToken).ConfigureAwait(false);
        if (token.Error is { } tokenError)
        {
            return (null, tokenError, true);
        }

        using var timeout = new CancellationTokenSource(options.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, sink)
        {
            Content = ToBinaryModeContent(cloudEvent),
        };
        if (token.Token is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        try
        {
            // Knative ignores what a source's sink replies, so the body is never read.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (status, null, false)
                : (status, $"HTTP {status} {response.ReasonPhrase}", IsRetriable(response.StatusCode));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our attempt timeout, or the HttpClient's own if it has a shorter one.
            return (null, timeout.IsCancellationRequested ? $"no answer within {options.AttemptTimeout}" : "the HTTP client timed out", true);
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message, true);
        }
    }

    private static HttpContent ToBinaryModeContent(CloudEvent cloudEvent)
    {
        if (cloudEvent.Data is not byte[] data || cloudEvent.DataContentType is not null)
        {
            return cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        }

        // Knative sends data without a contentType as is, with no Content-Type header; the C# SDK refuses to encode
        // such an event. So the SDK encodes the attributes of a copy without data, and the payload is added here.
        var attributesOnly = new CloudEvent(cloudEvent.SpecVersion, cloudEvent.ExtensionAttributes);
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            attributesOnly[attribute] = value;
        }

        using var headers = attributesOnly.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        var content = new ByteArrayContent(data);
        foreach (var (name, values) in headers.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)))
        {
            content.Headers.TryAddWithoutValidation(name, values);
        }

        return content;
    }

    private static bool IsRetriable(HttpStatusCode status) =>
        status is HttpStatusCode.NotFound
            or (HttpStatusCode)425 // Too Early
            or HttpStatusCode.TooManyRequests
            or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout;
}
