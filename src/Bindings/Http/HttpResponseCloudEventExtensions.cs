using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.AspNetCore.Http;

namespace Skylark.Events.Bindings.Http;

/// <summary>Writes a CloudEvent as an ASP.NET Core response — e.g. a function's reply event to the broker.</summary>
public static class HttpResponseCloudEventExtensions
{
    public static async Task CopyToHttpResponseAsync(
        this CloudEvent cloudEvent,
        HttpResponse response,
        ContentMode contentMode,
        CloudEventFormatter formatter,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(formatter);

        ReadOnlyMemory<byte> body;
        switch (contentMode)
        {
            case ContentMode.Structured:
                body = formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
                response.ContentType = contentType.ToString();
                break;
            case ContentMode.Binary:
                body = formatter.EncodeBinaryModeEventData(cloudEvent);
                response.ContentType = cloudEvent.DataContentType ?? formatter.GetOrInferDataContentType(cloudEvent);
                foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
                {
                    if (attribute == cloudEvent.SpecVersion.DataContentTypeAttribute)
                    {
                        continue;
                    }

                    response.Headers[HttpUtilities.HttpHeaderPrefix + attribute.Name] =
                        HttpUtilities.EncodeHeaderValue(attribute.Format(value));
                }

                response.Headers[HttpUtilities.SpecVersionHttpHeader] = cloudEvent.SpecVersion.VersionId;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(contentMode), contentMode, "Unknown content mode.");
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }
}
