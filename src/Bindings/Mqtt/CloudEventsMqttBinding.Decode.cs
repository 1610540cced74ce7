using System.Buffers;
using System.Net.Mime;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using MQTTnet;
using MQTTnet.Packets;

namespace Skylark.Events.Bindings.Mqtt;

public static partial class CloudEventsMqttBinding
{
    /// <summary>Decodes a binary- or structured-mode CloudEvent from an MQTT message.</summary>
    /// <exception cref="InvalidMqttCloudEventException">Not a valid CloudEvent; the message says why.</exception>
    public static CloudEvent ToCloudEvent(MqttApplicationMessage message, CloudEventFormatter formatter)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ToCloudEvent(message.Payload.ToArray(), message.ContentType, message.UserProperties, formatter);
    }

    /// <summary>
    /// Decodes a CloudEvent from the parts of an MQTT message. Structured mode when the Content Type is a CloudEvents
    /// media type, binary mode when there is a <c>specversion</c> User Property, and structured JSON when there is
    /// neither a Content Type nor user properties to go by (MQTT 3.1.1 implies the JSON event format).
    /// </summary>
    /// <exception cref="InvalidMqttCloudEventException">Not a valid CloudEvent; the message says why.</exception>
    public static CloudEvent ToCloudEvent(
        ReadOnlyMemory<byte> payload,
        string? contentType,
        IReadOnlyList<MqttUserProperty>? userProperties,
        CloudEventFormatter formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsCloudEventsContentType(contentType))
        {
            return DecodeStructured(payload, contentType!, formatter);
        }

        if (FindSpecVersion(userProperties) is not null)
        {
            return DecodeBinary(payload, contentType, userProperties!, formatter);
        }

        if (string.IsNullOrWhiteSpace(contentType))
        {
            return DecodeStructured(payload, StructuredJsonContentType, formatter);
        }

        throw new InvalidMqttCloudEventException(
            $"Not a CloudEvent: Content Type '{contentType}' is not a CloudEvents format ({StructuredJsonContentType}) and there is no " +
            $"'{CloudEventsSpecVersion.SpecVersionAttribute.Name}' user property (binary mode).");
    }

    private static CloudEvent DecodeStructured(ReadOnlyMemory<byte> payload, string contentType, CloudEventFormatter formatter)
    {
        if (MimeUtilities.IsCloudEventsBatchContentType(contentType))
        {
            throw new InvalidMqttCloudEventException($"Batched CloudEvents ({MimeUtilities.BatchMediaType}) are not accepted; publish one event per message.");
        }

        ContentType parsed;
        try
        {
            parsed = new ContentType(contentType);
        }
        catch (FormatException error)
        {
            throw new InvalidMqttCloudEventException($"Content Type '{contentType}' is not a valid media type.", error);
        }

        if (!parsed.MediaType.Equals(StructuredJsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidMqttCloudEventException(
                $"Structured-mode event format '{parsed.MediaType}' is not supported; use {StructuredJsonContentType}.");
        }

        if (payload.IsEmpty)
        {
            throw new InvalidMqttCloudEventException("Structured-mode CloudEvent has an empty payload.");
        }

        try
        {
            return formatter.DecodeStructuredModeMessage(payload, parsed, extensionAttributes: null);
        }
        // NotSupportedException: a charset the runtime knows but refuses to decode (utf-7), named by the sender.
        catch (Exception error) when (error is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidMqttCloudEventException($"Structured-mode CloudEvent is invalid: {error.Message}", error);
        }
    }

    private static CloudEvent DecodeBinary(
        ReadOnlyMemory<byte> payload,
        string? contentType,
        IReadOnlyList<MqttUserProperty> userProperties,
        CloudEventFormatter formatter)
    {
        var specVersionId = FindSpecVersion(userProperties)!;
        var specVersion = CloudEventsSpecVersion.FromVersionId(specVersionId)
            ?? throw new InvalidMqttCloudEventException($"Unsupported CloudEvents specversion '{specVersionId}'; 1.0 is supported.");

        var cloudEvent = new CloudEvent(specVersion);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? dataContentTypeProperty = null;
        foreach (var property in userProperties)
        {
            var name = property.Name;
            if (!IsAttributeName(name))
            {
                continue;
            }

            if (!seen.Add(name))
            {
                throw new InvalidMqttCloudEventException($"Binary-mode CloudEvent has the user property '{name}' more than once.");
            }

            var value = property.ReadValueAsString();
            if (name == CloudEventsSpecVersion.SpecVersionAttribute.Name)
            {
                continue;
            }

            if (name == specVersion.DataContentTypeAttribute.Name)
            {
                // The binding maps datacontenttype to the Content Type property; senders that also copy it into a
                // user property (as the binding's own example does) must not contradict themselves.
                dataContentTypeProperty = value;
                continue;
            }

            try
            {
                cloudEvent.SetAttributeFromString(name, value);
            }
            catch (ArgumentException error)
            {
                throw new InvalidMqttCloudEventException($"Binary-mode CloudEvent attribute '{name}' has an invalid value '{value}': {error.Message}", error);
            }
        }

        if (!string.IsNullOrEmpty(contentType) && dataContentTypeProperty is not null
            && !string.Equals(contentType.Trim(), dataContentTypeProperty.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidMqttCloudEventException(
                $"Binary-mode CloudEvent has Content Type '{contentType}' but user property datacontenttype '{dataContentTypeProperty}'.");
        }

        var dataContentType = string.IsNullOrEmpty(contentType) ? dataContentTypeProperty : contentType;
        try
        {
            if (!string.IsNullOrEmpty(dataContentType))
            {
                cloudEvent.DataContentType = dataContentType;
            }

            if (!payload.IsEmpty)
            {
                formatter.DecodeBinaryModeEventData(payload, cloudEvent);
            }
        }
        catch (Exception error) when (error is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidMqttCloudEventException($"Binary-mode CloudEvent data is invalid: {error.Message}", error);
        }

        if (!cloudEvent.IsValid)
        {
            var missing = string.Join(", ", specVersion.RequiredAttributes.Where(a => cloudEvent[a] is null).Select(a => a.Name));
            throw new InvalidMqttCloudEventException($"Binary-mode CloudEvent is missing required attribute(s): {missing}.");
        }

        return cloudEvent;
    }
}
