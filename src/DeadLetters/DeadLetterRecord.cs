using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// One line of the log: <c>{"sequence":N,"receivedAt":…,"error":{…},"event":{…}}</c> and a newline, the event in
/// structured mode. The sequence comes first so a reader learns it without parsing the rest, and it is written last:
/// the body is encoded on the request's thread and the writer only puts the number in front.
/// </summary>
internal static class DeadLetterRecord
{
    /// <summary>
    /// Longer lines are not records this service wrote: the largest event it accepts, escaped at worst six bytes per
    /// byte (<see cref="DeadLetterOptions.MaxMaxEventBytes"/>), stays well below.
    /// </summary>
    public const int MaxLineBytes = 64 * 1024 * 1024;

    private static readonly byte[] SequencePrefix = "{\"sequence\":"u8.ToArray();

    /// <summary>The record without its sequence, as one compact JSON object.</summary>
    public static byte[] EncodeBody(CloudEvent cloudEvent, DeadLetterError error, DateTimeOffset receivedAt)
    {
        var structured = RawDataJsonEventFormatter.Instance.EncodeStructuredModeMessage(cloudEvent, out _);
        var output = new ArrayBufferWriter<byte>(structured.Length + 512);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("receivedAt", receivedAt.UtcDateTime);
            writer.WriteStartObject("error");
            if (error.Destination is { } destination)
            {
                writer.WriteString("destination", destination);
            }

            if (error.Code is { } code)
            {
                writer.WriteNumber("code", code);
            }

            if (error.Data is { } data)
            {
                writer.WriteString("data", data);
            }

            writer.WriteEndObject();
            writer.WritePropertyName("event");
            if (structured.Span.IndexOf((byte)'\n') < 0)
            {
                writer.WriteRawValue(structured.Span);
            }
            else
            {
                // Raw values are copied as they are: a formatter that indents would split the record over lines.
                using var document = JsonDocument.Parse(structured);
                document.RootElement.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Writes the line of <paramref name="body"/> numbered <paramref name="sequence"/>; returns its length with the newline.</summary>
    public static int WriteLine(IBufferWriter<byte> output, long sequence, ReadOnlySpan<byte> body)
    {
        var length = SequencePrefix.Length + 20 + 1 + (body.Length - 1) + 1;
        var span = output.GetSpan(length);
        SequencePrefix.CopyTo(span);
        var at = SequencePrefix.Length;
        Utf8Formatter.TryFormat(sequence, span[at..], out var digits);
        at += digits;
        span[at++] = (byte)',';
        body[1..].CopyTo(span[at..]);
        at += body.Length - 1;
        span[at++] = (byte)'\n';
        output.Advance(at);
        return at;
    }

    /// <summary>
    /// Checks that <paramref name="line"/> (without its newline) is one whole JSON object whose first field is its
    /// positive sequence; <paramref name="problem"/> says what is wrong otherwise.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out long sequence, out string? problem)
    {
        sequence = 0;
        problem = null;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("sequence"u8))
            {
                problem = "its first field is not \"sequence\"";
                return false;
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out sequence) || sequence < 1)
            {
                problem = "its sequence is not a positive whole number";
                return false;
            }

            // Reading to the end checks the rest is well formed and that nothing follows the object.
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException error)
        {
            problem = $"not valid JSON ({error.Message})";
            return false;
        }
    }
}
