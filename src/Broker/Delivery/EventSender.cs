using System.Net;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Options;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Broker.Delivery;

/// <summary>
/// Sends one event to one destination in binary mode and reports the outcome, reading a reply event if the
/// destination sent one. One pooled <see cref="HttpClient"/> serves every subscriber and dead letter sink.
/// </summary>
public sealed class EventSender : IDisposable
{
    private readonly HttpClient client;
    private readonly TimeProvider timeProvider;

    public EventSender(IOptions<BrokerOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var settings = options.Value;
        this.timeProvider = timeProvider;

        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.MaxConnectionsPerSubscriber,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),

            // Re-resolve DNS now and then so a moved subscriber is found again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // A 3xx is a final failure for Knative; following it would re-POST somewhere nobody configured.
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        client = new HttpClient(handler, disposeHandler: true)
        {
            // Per-attempt timeouts come from the DeliverySpec, on the injected clock.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = settings.MaxEventBytes,
        };
    }

    /// <summary>
    /// One attempt, limited by <paramref name="timeout"/>. <paramref name="expectReply"/> is true for subscribers (sends
    /// <c>Prefer: reply</c> and reads a reply event) and false for dead letter sinks. <paramref name="bearerToken"/>, when
    /// given, is sent as <c>Authorization: Bearer</c>.
    /// </summary>
    public async Task<DeliveryAttempt> SendAsync(
        Uri target,
        CloudEvent cloudEvent,
        IReadOnlyList<KeyValuePair<string, string>> extraExtensions,
        bool expectReply,
        TimeSpan? timeout,
        string? bearerToken,
        CancellationToken cancellationToken)
    {
        using var request = BinaryModeRequest.Create(target, cloudEvent, extraExtensions);
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }

        if (expectReply)
        {
            request.Headers.TryAddWithoutValidation("Prefer", "reply");
        }

        using var timeoutSource = timeout is { } limit ? new CancellationTokenSource(limit, timeProvider) : null;
        using var linked = timeoutSource is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var token = linked?.Token ?? cancellationToken;

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300 && response.Content.Headers.ContentLength == 0 && !response.Headers.Contains(HttpUtilities.SpecVersionHttpHeader))
            {
                // The common answer: nothing to read, no reply.
                return DeliveryAttempt.Success(status);
            }

            if (status is < 200 or >= 300)
            {
                var body = await response.Content.ReadAsByteArrayAsync(token);
                return DeliveryAttempt.FailedResponse(status, body, response.Headers.RetryAfter, $"unexpected HTTP response, expected 2xx, got {status}");
            }

            return expectReply ? await ReadReplyAsync(response, status, token) : DeliveryAttempt.Success(status);
        }
        catch (OperationCanceledException) when (timeoutSource is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.NoResponse($"no response within the delivery timeout of {timeout}");
        }
        catch (HttpRequestException e)
        {
            return DeliveryAttempt.NoResponse(e.Message);
        }
    }

    /// <summary>
    /// A 2xx may carry a reply event; an empty body is a plain success. Any other body is a failed delivery
    /// (502), as in Knative's broker filter: a subscriber must answer with nothing or with a CloudEvent.
    /// </summary>
    private static async Task<DeliveryAttempt> ReadReplyAsync(HttpResponseMessage response, int status, CancellationToken cancellationToken)
    {
        if (!response.IsCloudEvent())
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return body.Length == 0
                ? DeliveryAttempt.Success(status)
                : DeliveryAttempt.FailedResponse(502, body, retryAfter: null, "received a non-empty response that is not a CloudEvent; a subscriber must reply with nothing or with a CloudEvent");
        }

        try
        {
            var reply = await response.ToCloudEventAsync(RawDataJsonEventFormatter.Instance);
            return reply.IsValid
                ? DeliveryAttempt.Success(status, reply)
                : DeliveryAttempt.FailedResponse(502, await response.Content.ReadAsByteArrayAsync(cancellationToken), retryAfter: null, "the reply CloudEvent is missing required attributes");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return DeliveryAttempt.FailedResponse(502, await response.Content.ReadAsByteArrayAsync(cancellationToken), retryAfter: null, $"the reply is not a valid CloudEvent: {e.Message}");
        }
    }

    public void Dispose() => client.Dispose();
}
