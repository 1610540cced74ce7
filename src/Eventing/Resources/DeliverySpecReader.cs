using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Reads an eventingduckv1.DeliverySpec (Broker and Trigger <c>spec.delivery</c>) with Knative's rules.</summary>
internal static class DeliverySpecReader
{
    private static readonly string[] Formats = ["json", "binary"];

    public static DeliverySpec? Read(DocumentReader reader, YamlMappingNode? spec, string path, string defaultNamespace)
    {
        if (DocumentReader.Child(spec, "delivery") is not { } node || reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        var deadLetterSink = DestinationReader.Read(reader, map, "deadLetterSink", FieldPath.Join(path, "deadLetterSink"), defaultNamespace, required: false);

        var retry = reader.ReadInt32(map, "retry", FieldPath.Join(path, "retry"));
        if (retry < 0)
        {
            reader.Error(FieldPath.Join(path, "retry"), DocumentReader.Child(map, "retry"), $"must be >= 0, got {retry}");
        }

        BackoffPolicy? policy = reader.ReadString(map, "backoffPolicy", FieldPath.Join(path, "backoffPolicy")) switch
        {
            null => null,
            "linear" => BackoffPolicy.Linear,
            "exponential" => BackoffPolicy.Exponential,
            var other => Invalid(reader, map, "backoffPolicy", path, $"must be linear or exponential, got \"{other}\""),
        };

        var backoffDelay = ReadDuration(reader, map, "backoffDelay", path, allowZero: true);
        var timeout = ReadDuration(reader, map, "timeout", path, allowZero: false);
        var retryAfterMax = ReadDuration(reader, map, "retryAfterMax", path, allowZero: true);

        // Not part of our model (we always deliver in binary mode), but Knative rejects other values, so do we.
        if (reader.ReadString(map, "format", FieldPath.Join(path, "format")) is { } format && !Formats.Contains(format, StringComparer.Ordinal))
        {
            reader.Error(FieldPath.Join(path, "format"), DocumentReader.Child(map, "format"), $"must be json or binary, got \"{format}\"");
        }

        return reader.ErrorCount > errorsBefore
            ? null
            : new DeliverySpec(deadLetterSink, retry, policy, backoffDelay, timeout, retryAfterMax);
    }

    private static BackoffPolicy? Invalid(DocumentReader reader, YamlMappingNode map, string key, string path, string message)
    {
        reader.Error(FieldPath.Join(path, key), DocumentReader.Child(map, key), message);
        return null;
    }

    private static TimeSpan? ReadDuration(DocumentReader reader, YamlMappingNode map, string key, string path, bool allowZero)
    {
        var field = FieldPath.Join(path, key);
        if (reader.ReadString(map, key, field) is not { } text)
        {
            return null;
        }

        var node = DocumentReader.Child(map, key);
        if (!IsoDuration.TryParse(text, out var duration))
        {
            reader.Error(field, node, $"\"{text}\" is not an ISO-8601 duration (e.g. PT0.2S, PT1M, P1D)");
            return null;
        }

        if (duration < TimeSpan.Zero || (!allowZero && duration == TimeSpan.Zero))
        {
            reader.Error(field, node, allowZero ? $"must not be negative, got {text}" : $"must be greater than zero, got {text}");
            return null;
        }

        return duration;
    }
}
