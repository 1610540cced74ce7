using System.Text.Json.Nodes;

namespace Skylark.Events.Bindings.Http;

/// <summary>
/// CloudEvents 0.3 is accepted (as Knative's ingress does) by mapping it to 1.0:
/// <c>schemaurl</c> became <c>dataschema</c>, and structured <c>datacontentencoding: base64</c> became <c>data_base64</c>.
/// </summary>
internal static class SpecVersion03
{
    public const string Id = "0.3";

    public static string MapAttributeName(string name) => name == "schemaurl" ? "dataschema" : name;

    public static bool MightBe03(ReadOnlySpan<byte> structuredBody) => structuredBody.IndexOf("\"0.3\""u8) >= 0;

    /// <summary>Rewrites a 0.3 structured JSON event as 1.0; returns null when the body is not 0.3.</summary>
    public static byte[]? MapStructured(ReadOnlyMemory<byte> body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body.Span);
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // Let the formatter report the syntax error.
        }

        if (node is not JsonObject obj || obj["specversion"]?.GetValueKind() != System.Text.Json.JsonValueKind.String
            || obj["specversion"]!.GetValue<string>() != Id)
        {
            return null;
        }

        obj["specversion"] = "1.0";
        if (obj.Remove("schemaurl", out var schema))
        {
            obj["dataschema"] = schema;
        }

        if (obj.Remove("datacontentencoding", out var encoding))
        {
            if (!string.Equals(encoding?.GetValue<string>(), "base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidCloudEventException($"datacontentencoding '{encoding}' is not supported; only 'base64' is defined by CloudEvents 0.3.");
            }

            if (obj.Remove("data", out var data))
            {
                obj["data_base64"] = data;
            }
        }

        return System.Text.Encoding.UTF8.GetBytes(obj.ToJsonString());
    }
}
