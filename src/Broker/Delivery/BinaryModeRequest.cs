using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;

namespace Skylark.Events.Broker.Delivery;

/// <summary>
/// Writes an event as a binary-mode HTTP request — the mode Knative uses towards subscribers — without touching
/// the event itself (it is shared by every Trigger that matched it).
/// </summary>
public static class BinaryModeRequest
{
    /// <summary>A POST of <paramref name="cloudEvent"/> to <paramref name="target"/>; <paramref name="extraExtensions"/> are sent as well, replacing any of the same name the event has.</summary>
    public static HttpRequestMessage Create(Uri target, CloudEvent cloudEvent, IReadOnlyList<KeyValuePair<string, string>> extraExtensions)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(extraExtensions);

        var content = new ReadOnlyMemoryContent(EncodeData(cloudEvent));
        if (cloudEvent.DataContentType is { } contentType)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
        request.Headers.TryAddWithoutValidation(HttpUtilities.SpecVersionHttpHeader, cloudEvent.SpecVersion.VersionId);
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute == cloudEvent.SpecVersion.DataContentTypeAttribute
                || attribute.Name == CloudEventsSpecVersion.SpecVersionAttribute.Name
                || Replaced(attribute.Name, extraExtensions))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(HttpUtilities.HttpHeaderPrefix + attribute.Name, HttpUtilities.EncodeHeaderValue(attribute.Format(value)));
        }

        foreach (var (name, value) in extraExtensions)
        {
            request.Headers.TryAddWithoutValidation(HttpUtilities.HttpHeaderPrefix + name, HttpUtilities.EncodeHeaderValue(value));
        }

        return request;
    }

    /// <summary>
    /// The data as bytes. Bytes received in binary mode (or as <c>data_base64</c>) go out unchanged; JSON data from a
    /// structured event is serialized; text data is encoded in the charset its content type names.
    /// </summary>
    public static ReadOnlyMemory<byte> EncodeData(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return cloudEvent.Data switch
        {
            null => ReadOnlyMemory<byte>.Empty,
            byte[] bytes => bytes,
            string text when !RawDataJsonEventFormatter.IsJsonContentType(cloudEvent.DataContentType ?? "application/json") =>
                EncodingOf(cloudEvent.DataContentType).GetBytes(text),
            _ => RawDataJsonEventFormatter.Instance.EncodeBinaryModeEventData(cloudEvent),
        };
    }

    private static Encoding EncodingOf(string? contentType)
    {
        try
        {
            return contentType is null ? Encoding.UTF8 : MimeUtilities.GetEncoding(new ContentType(contentType));
        }
        catch (FormatException)
        {
            return Encoding.UTF8;
        }
    }

    private static bool Replaced(string name, IReadOnlyList<KeyValuePair<string, string>> extraExtensions)
    {
        foreach (var extension in extraExtensions)
        {
            if (extension.Key == name)
            {
                return true;
            }
        }

        return false;
    }
}
