using System.Net.Http.Headers;
using System.Text;
using CloudNative.CloudEvents;

namespace Skylark.Events.Broker.Delivery;

/// <summary>What one POST to a destination (or one local re-ingestion of a reply) came to.</summary>
public sealed record DeliveryAttempt
{
    private DeliveryAttempt(int statusCode, bool responded, ReadOnlyMemory<byte> errorData, string? error)
    {
        StatusCode = statusCode;
        Responded = responded;
        ErrorData = errorData;
        Error = error;
    }

    /// <summary>
    /// The HTTP status. Network errors and timeouts report 500, as Knative's dispatcher does; a 2xx whose body is
    /// neither empty nor a CloudEvent reports 502, as Knative's broker filter does.
    /// </summary>
    public int StatusCode { get; }

    /// <summary>False when no HTTP response arrived (connection refused, reset, timeout).</summary>
    public bool Responded { get; }

    public bool Succeeded => Error is null && StatusCode is >= 200 and < 300;

    /// <summary>Why the attempt failed, for logs; null on success.</summary>
    public string? Error { get; }

    /// <summary>The bytes a dead letter's <c>knativeerrordata</c> describes: the response body, or the dispatch error.</summary>
    public ReadOnlyMemory<byte> ErrorData { get; }

    public RetryConditionHeaderValue? RetryAfter { get; private init; }

    /// <summary>The CloudEvent the destination replied with, if any.</summary>
    public CloudEvent? Reply { get; private init; }

    public static DeliveryAttempt Success(int statusCode, CloudEvent? reply = null) =>
        new(statusCode, responded: true, ReadOnlyMemory<byte>.Empty, error: null) { Reply = reply };

    public static DeliveryAttempt FailedResponse(int statusCode, ReadOnlyMemory<byte> body, RetryConditionHeaderValue? retryAfter, string error) =>
        new(statusCode, responded: true, body, error) { RetryAfter = retryAfter };

    public static DeliveryAttempt NoResponse(string error) =>
        new(500, responded: false, Encoding.UTF8.GetBytes($"dispatch error: {error}"), error);
}
