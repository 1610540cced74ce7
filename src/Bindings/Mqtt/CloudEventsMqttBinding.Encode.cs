using CloudNative.CloudEvents;
using MQTTnet;
using MQTTnet.Protocol;

namespace Skylark.Events.Bindings.Mqtt;

public static partial class CloudEventsMqttBinding
{
    /// <summary>Encodes <paramref name="cloudEvent"/> as an MQTT 5 PUBLISH to <paramref name="topic"/> in <paramref name="contentMode"/>.</summary>
    /// <exception cref="ArgumentException">The topic is empty or has wildcards.</exception>
    /// <exception cref="InvalidOperationException">The event lacks a required attribute.</exception>
    public static MqttApplicationMessage ToMqttMessage(
        CloudEvent cloudEvent,
        ContentMode contentMode,
        CloudEventFormatter formatter,
        string topic,
        MqttQualityOfServiceLevel qualityOfService = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(formatter);
        EnsurePublishable(topic);
        cloudEvent.Validate();

        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithQualityOfServiceLevel(qualityOfService);
        switch (contentMode)
        {
            case ContentMode.Structured:
                var body = formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
                builder.WithContentType(contentType.ToString()).WithPayload(body.ToArray());
                break;

            case ContentMode.Binary:
                var data = formatter.EncodeBinaryModeEventData(cloudEvent);
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
