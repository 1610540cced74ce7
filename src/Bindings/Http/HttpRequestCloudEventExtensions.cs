using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.Http;
using Microsoft.AspNetCore.Http;

namespace Skylark.Events.Bindings.Http;

/// <summary>
/// Reads an ASP.NET Core request as a CloudEvent in binary or structured mode — the part of
/// CloudNative.CloudEvents.AspNetCore we need, built on the core package's public helpers.
/// </summary>
public static class HttpRequestCloudEventExtensions
{
    /// <summary>True when the request carries a CloudEvent in either mode (a batch is not a single event).</summary>
    public static bool IsCloudEvent(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MimeUtilities.IsCloudEventsContentType(request.ContentType)
            || request.Headers.ContainsKey(HttpUtilities.SpecVersionHttpHeader);
    }

    /// <exception cref="InvalidCloudEventException">The request is not a valid CloudEvent; the message says why.</exception>
    public static async Task<CloudEvent> ReadCloudEventAsync(
        this HttpRequest request,
        CloudEventFormatter formatter,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(formatter);

        if (MimeUtilities.IsCloudEventsBatchContentType(request.ContentType))
        {
            throw new InvalidCloudEventException("Batched CloudEvents (application/cloudevents-batch+json) are not accepted; send one event per request.");
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        var cloudEvent = MimeUtilities.IsCloudEventsContentType(request.ContentType)
            ? ReadStructured(body, request.ContentType!, formatter)
            : ReadBinary(request, body, formatter);

        if (!cloudEvent.IsValid)
        {
            var missing = string.Join(", ", cloudEvent.SpecVersion.RequiredAttributes
                .Where(a => cloudEvent[a] is null)
                .Select(a => a.Name));
            throw new InvalidCloudEventException($"CloudEvent is missing required attribute(s): {missing}.");
        }

        return cloudEvent;
    }

    private static CloudEvent ReadStructured(ReadOnlyMemory<byte> body, string contentType, CloudEventFormatter formatter)
    {
        if (body.IsEmpty)
        {
            throw new InvalidCloudEventException("Structured-mode CloudEvent has an empty body.");
        }

        try
        {
            // Inside the try: mapping 0.3 reads the same untrusted JSON (strings that are not UTF-8, a
            // datacontentencoding that is not a string) and fails the same ways the formatter does.
            if (SpecVersion03.MightBe03(body.Span) && SpecVersion03.MapStructured(body) is { } mapped)
            {
                body = mapped;
            }

            return formatter.DecodeStructuredModeMessage(body, new System.Net.Mime.ContentType(contentType), extensionAttributes: null);
        }
        // NotSupportedException: a charset the runtime knows but refuses to decode (utf-7), named by the sender.
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidCloudEventException($"Structured-mode CloudEvent is invalid: {e.Message}", e);
        }
    }

    private static CloudEvent ReadBinary(HttpRequest request, ReadOnlyMemory<byte> body, CloudEventFormatter formatter)
    {
        var specVersionHeader = request.Headers[HttpUtilities.SpecVersionHttpHeader].ToString();
        if (string.IsNullOrEmpty(specVersionHeader))
        {
            throw new InvalidCloudEventException(
                $"Not a CloudEvent: neither a '{HttpUtilities.SpecVersionHttpHeader}' header (binary mode) nor Content-Type '{MimeUtilities.MediaType}+json' (structured mode).");
        }

        var is03 = specVersionHeader == SpecVersion03.Id;
        var specVersion = is03 ? CloudEventsSpecVersion.V1_0 : CloudEventsSpecVersion.FromVersionId(specVersionHeader)
            ?? throw new InvalidCloudEventException($"Unsupported CloudEvents specversion '{specVersionHeader}'; 1.0 and 0.3 are accepted.");

        var cloudEvent = new CloudEvent(specVersion);
        try
        {
            foreach (var header in request.Headers)
            {
                if (!header.Key.StartsWith(HttpUtilities.HttpHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HttpUtilities.GetAttributeNameFromHeaderName(header.Key);
                if (name is null || name == CloudEventsSpecVersion.SpecVersionAttribute.Name)
                {
                    continue;
                }

                if (is03)
                {
                    name = SpecVersion03.MapAttributeName(name);
                }

                cloudEvent.SetAttributeFromString(name, HttpUtilities.DecodeHeaderValue(header.Value.ToString()));
            }

            if (!string.IsNullOrEmpty(request.ContentType))
            {
                cloudEvent.DataContentType = request.ContentType;
            }

            if (!body.IsEmpty)
            {
                formatter.DecodeBinaryModeEventData(body, cloudEvent);
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidCloudEventException($"Binary-mode CloudEvent is invalid: {e.Message}", e);
        }

        return cloudEvent;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var capacity = request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength.Value : 0;
        using var buffer = new MemoryStream(capacity);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.TryGetBuffer(out var segment) ? segment.AsMemory() : buffer.ToArray();
    }
}
