using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Reads a sources.knative.dev/v1 PingSource.</summary>
internal static class PingSourceReader
{
    public static PingSourceResource? Read(DocumentReader reader, YamlMappingNode root)
    {
        var errorsBefore = reader.ErrorCount;
        var meta = MetadataReader.Read(reader, root);
        var ns = meta?.Namespace ?? MetadataReader.DefaultNamespace;
        var spec = reader.ReadMapping(root, "spec", "spec");
        if (spec is null)
        {
            // A spec that is there but not a mapping has been reported already.
            if (!DocumentReader.Has(root, "spec"))
            {
                reader.Error("spec", root, "required; a PingSource needs spec.schedule and spec.sink");
            }

            return null;
        }

        var schedule = reader.ReadRequiredString(spec, "schedule", "spec.schedule", spec);
        if (schedule is not null && !PingSchedule.TryParse(schedule, out _, out var scheduleError))
        {
            reader.Error("spec.schedule", DocumentReader.Child(spec, "schedule"), scheduleError);
        }

        var timezone = reader.ReadString(spec, "timezone", "spec.timezone");
        if (!string.IsNullOrEmpty(timezone) && !PingSchedule.TryParseTimeZone(timezone, out _, out var zoneError))
        {
            reader.Error("spec.timezone", DocumentReader.Child(spec, "timezone"), zoneError);
        }

        var contentType = reader.ReadString(spec, "contentType", "spec.contentType");
        var data = reader.ReadString(spec, "data", "spec.data");
        var dataBase64 = reader.ReadString(spec, "dataBase64", "spec.dataBase64");
        ValidatePayload(reader, spec, contentType, data, dataBase64);

        var extensions = ReadExtensions(reader, spec);
        var sink = DestinationReader.Read(reader, spec, "sink", "spec.sink", ns, required: true);

        return reader.ErrorCount > errorsBefore || meta is null || schedule is null || sink is null
            ? null
            : new PingSourceResource(
                meta,
                schedule,
                string.IsNullOrEmpty(timezone) ? null : timezone,
                string.IsNullOrEmpty(contentType) ? null : contentType,
                string.IsNullOrEmpty(data) ? null : data,
                string.IsNullOrEmpty(dataBase64) ? null : dataBase64,
                extensions,
                sink,
                reader.Origin);
    }

    private static void ValidatePayload(DocumentReader reader, YamlMappingNode? spec, string? contentType, string? data, string? dataBase64)
    {
        if (!string.IsNullOrEmpty(data) && !string.IsNullOrEmpty(dataBase64))
        {
            reader.Error("spec.data", DocumentReader.Child(spec, "data"), "data and dataBase64 are mutually exclusive; set only one");
            return;
        }

        var isJson = IsJson(contentType);
        if (!string.IsNullOrEmpty(dataBase64))
        {
            var node = DocumentReader.Child(spec, "dataBase64");
            var buffer = new byte[dataBase64.Length];
            if (!Convert.TryFromBase64String(dataBase64, buffer, out var written))
            {
                reader.Error("spec.dataBase64", node, "is not valid base64");
            }
            else if (isJson && JsonProblem(Encoding.UTF8.GetString(buffer, 0, written)) is { } problem)
            {
                reader.Error("spec.dataBase64", node, $"contentType is {contentType} but the decoded data is not a JSON object: {problem}");
            }
        }
        else if (!string.IsNullOrEmpty(data) && isJson && JsonProblem(data) is { } problem)
        {
            reader.Error("spec.data", DocumentReader.Child(spec, "data"), $"contentType is {contentType} but data is not a JSON object: {problem}");
        }
    }

    private static IReadOnlyDictionary<string, string> ReadExtensions(DocumentReader reader, YamlMappingNode? spec)
    {
        var overrides = reader.ReadMapping(spec, "ceOverrides", "spec.ceOverrides");
        return reader.ReadStringMap(
                overrides,
                "extensions",
                "spec.ceOverrides.extensions",
                KnativeNames.IsExtensionName,
                "extension name " + KnativeNames.ExtensionNameRule)
            ?? ReadOnlyDictionary<string, string>.Empty;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && string.Equals(contentType.Split(';', 2)[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase);

    // Knative decodes JSON payloads into a map, so it accepts objects only.
    private static string? JsonProblem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? null : $"found a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }
}
