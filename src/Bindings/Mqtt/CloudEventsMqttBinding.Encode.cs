using CloudNative.CloudEvents;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Skylark.Events.Bindings.Mqtt;

public static partial class CloudEventsMqttBinding
{
    /// <summary>
    /// Encodes <paramref name="cloudEvent"/> as a PUBLISH to <paramref name="topic"/> in <paramref name="contentMode"/>,
    /// for a client speaking <paramref name="protocolVersion"/>.
    /// </summary>
    /// <remarks>
    /// MQTT 3.1.1 has neither a Content Type nor User Properties. There, structured mode is the JSON event alone (the
    /// format <c>ToCloudEvent</c> assumes for a message without either), and binary mode can carry only the data: the
    /// attributes have nowhere to go, so the message is the application's payload and no longer a CloudEvent.
    /// </remarks>
    /// <exception cref="ArgumentException">The topic is empty or has wildcards.</exception>
    /// <exception cref="InvalidOperationException">The event lacks a required attribute.</exception>
    public static MqttApplicationMessage ToMqttMessage(
        CloudEvent cloudEvent,
        ContentMode contentMode,
        CloudEventFormatter formatter,
        string topic,
        MqttQualityOfServiceLevel qualityOfService = MqttQualityOfServiceLevel.AtLeastOnce,
        MqttProtocolVersion protocolVersion = MqttProtocolVersion.V500)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(formatter);
        EnsurePublishable(topic);
        cloudEvent.Validate();

        var mqtt5 = protocolVersion == MqttProtocolVersion.V500;
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithQualityOfServiceLevel(qualityOfService);
        switch (contentMode)
        {
            case ContentMode.Structured:
                var body = formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
                if (mqtt5)
                {
                    builder.WithContentType(contentType.ToString());
                }

                builder.WithPayload(body.ToArray());
                break;

            case ContentMode.Binary:
                var data = formatter.EncodeBinaryModeEventData(cloudEvent);
                if (mqtt5)
                {
                    var dataContentType = cloudEvent.DataContentType ?? (cloudEvent.Data is null ? null : formatter.GetOrInferDataContentType(cloudEvent));
                    if (dataContentType is not null)
                    {
                        builder.WithContentType(dataContentType);
                    }

                    builder.WithUtf8UserProperty(CloudEventsSpecVersion.SpecVersionAttribute.Name, cloudEvent.SpecVersion.VersionId);
                    foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
                    {
                        if (attribute != cloudEvent.SpecVersion.DataContentTypeAttribute)
                        {
                            builder.WithUtf8UserProperty(attribute.Name, attribute.Format(value));
                        }
                    }
                }

                builder.WithPayload(data.ToArray());
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(contentMode), contentMode, "Unknown content mode.");
        }

        return builder.Build();
    }

    private static void EnsurePublishable(string topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.IndexOfAny(['+', '#', '\0']) >= 0)
        {
            throw new ArgumentException($"MQTT topic '{topic}' must be non-empty and must not contain wildcards.", nameof(topic));
        }
    }
}
