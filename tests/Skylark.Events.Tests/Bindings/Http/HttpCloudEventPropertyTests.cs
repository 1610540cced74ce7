using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CsCheck;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Tests.Bindings.Http;

/// <summary>
/// The HTTP binding's two content modes carry the same event: written binary and read back, it equals the event
/// written structured and read back — attributes, extensions and data alike.
/// </summary>
public sealed class HttpCloudEventPropertyTests
{
    private static readonly string[] Reserved = ["id", "source", "type", "subject", "time", "data", "datacontenttype", "dataschema", "specversion"];

    // Printable text with what header encoding must escape: spaces, quotes, '%' and non-ASCII.
    private static readonly Gen<string> Text = Gen.Char["abcXYZ019 -_./:%\"'é€ü"].Array[1, 24].Select(c => new string(c));

    private static readonly Gen<string> ExtensionNames =
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 12].Select(c => "x" + new string(c)).Where(n => !Reserved.Contains(n));

    private static readonly Gen<(string? ContentType, byte[]? Data)> Payloads = Gen.OneOf(
        Gen.Const<(string?, byte[]?)>((null, null)),
        Text.Select(t => ((string?)"text/plain", (byte[]?)Encoding.UTF8.GetBytes(t))),
        Gen.Select(Text, Gen.Int, (t, n) => ((string?)"application/json", (byte[]?)JsonSerializer.SerializeToUtf8Bytes(new { text = t, n }))));

    private static readonly Gen<CloudEvent> Events = Gen.Select(
        Text, Text, Text, Text.Null(), Gen.Long[0, 4_102_444_800_000].Nullable(),
        Gen.Select(ExtensionNames, Text).Array[0, 4], Payloads,
        (id, source, type, subject, time, extensions, payload) =>
        {
            var cloudEvent = new CloudEvent
            {
                Id = id,
                Source = new Uri("urn:" + Uri.EscapeDataString(source)),
                Type = type,
                Subject = subject,
                Time = time is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                DataContentType = payload.ContentType,
                Data = payload.Data,
            };
            foreach (var (name, value) in extensions.DistinctBy(e => e.Item1, StringComparer.Ordinal))
            {
                cloudEvent[name] = value;
            }

            return cloudEvent;
        });

    [Fact]
    public void An_event_read_from_binary_mode_equals_the_same_event_read_from_structured_mode() =>
        Events.SampleAsync(async cloudEvent =>
        {
            var binary = await RoundTripAsync(cloudEvent, ContentMode.Binary);
            var structured = await RoundTripAsync(cloudEvent, ContentMode.Structured);

            Assert.Equal(Describe(structured), Describe(binary));
            Assert.Equal(Describe(cloudEvent), Describe(binary));
        }, iter: 300);

    private static async Task<CloudEvent> RoundTripAsync(CloudEvent cloudEvent, ContentMode mode)
    {
        var response = new DefaultHttpContext().Response;
        using var written = new MemoryStream();
        response.Body = written;
        await cloudEvent.CopyToHttpResponseAsync(response, mode, RawDataJsonEventFormatter.Instance);

        var request = new DefaultHttpContext().Request;
        foreach (var header in response.Headers)
        {
            request.Headers[header.Key] = header.Value;
        }

        request.Method = HttpMethods.Post;
        request.Body = new MemoryStream(written.ToArray());
        return await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance);
    }

    /// <summary>Every attribute in its string form, then the data as bytes (JSON compacted, text as UTF-8).</summary>
    private static string Describe(CloudEvent cloudEvent) =>
        string.Join("\n", cloudEvent.GetPopulatedAttributes()
            .Select(a => $"{a.Key.Name}={a.Key.Format(a.Value)}")
            .Order(StringComparer.Ordinal))
        + "\ndata=" + cloudEvent.Data switch
        {
            null => "-",
            byte[] bytes when RawDataJsonEventFormatter.IsJsonContentType(cloudEvent.DataContentType) => Compact(bytes),
            byte[] bytes => Convert.ToHexString(bytes),
            string text => Convert.ToHexString(Encoding.UTF8.GetBytes(text)),
            JsonElement json => json.GetRawText(),
            var other => other.ToString(),
        };

    private static string Compact(byte[] json) => JsonDocument.Parse(json).RootElement.GetRawText();
}
