using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace Skylark.Events.Bindings;

/// <summary>
/// JSON event format that keeps binary-mode data as the exact bytes received.
/// A broker must forward data byte-for-byte; the stock formatter would parse JSON data and re-serialize it.
/// </summary>
public sealed class RawDataJsonEventFormatter : JsonEventFormatter
{
    public static readonly RawDataJsonEventFormatter Instance = new();

    public override void DecodeBinaryModeEventData(ReadOnlyMemory<byte> body, CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Data = body.IsEmpty ? null : body.ToArray();
    }

    protected override void EncodeStructuredModeData(CloudEvent cloudEvent, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(writer);
        if (cloudEvent.Data is byte[] bytes && IsJsonContentType(cloudEvent.DataContentType) && TryParseJson(bytes, out var document))
        {
            // Re-written compactly so a structured event always fits on one JSON Lines record.
            using (document)
            {
                writer.WritePropertyName(DataPropertyName);
                document.RootElement.WriteTo(writer);
            }

            return;
        }

        if (cloudEvent.Data is byte[] text && IsTextMediaType(cloudEvent.DataContentType))
        {
            writer.WriteString(DataPropertyName, System.Text.Encoding.UTF8.GetString(text));
            return;
        }

        base.EncodeStructuredModeData(cloudEvent, writer);
    }

    public static bool IsJsonContentType(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsTextMediaType(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith("text/", StringComparison.OrdinalIgnoreCase);

    private static bool TryParseJson(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }
}
