using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using MQTTnet;
using MQTTnet.Packets;

namespace Skylark.Events.Bindings.Mqtt;

/// <summary>
/// The CloudEvents MQTT protocol binding (cloudevents/spec, mqtt-protocol-binding.md) for MQTT 5 PUBLISH messages.
/// Binary mode: <c>datacontenttype</c> is the MQTT Content Type property, every other attribute (specversion and
/// extensions included) a User Property named exactly like the attribute, with its canonical string value, and
/// <c>data</c> the payload. Structured mode: Content Type <c>application/cloudevents+json</c> and the JSON event as the
/// payload. A receiver picks the mode from the Content Type (a CloudEvents media type means structured). Over MQTT 3.1.1,
/// which has no properties, only structured mode is a CloudEvent (see <see cref="ToMqttMessage"/>).
/// </summary>
public static partial class CloudEventsMqttBinding
{
    /// <summary>The Content Type of a structured-mode JSON event.</summary>
    public const string StructuredJsonContentType = "application/cloudevents+json";

    /// <summary>
    /// True when <paramref name="message"/> claims to be a CloudEvent: a CloudEvents Content Type (structured) or a
    /// <c>specversion</c> User Property (binary). MQTT 3.1.1 messages carry neither; they are CloudEvents only where a
    /// topic is agreed to carry structured JSON events.
    /// </summary>
    public static bool IsCloudEvent(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return IsCloudEvent(message.ContentType, message.UserProperties);
    }

    public static bool IsCloudEvent(string? contentType, IReadOnlyList<MqttUserProperty>? userProperties) =>
        IsCloudEventsContentType(contentType) || FindSpecVersion(userProperties) is not null;

    private static bool IsCloudEventsContentType(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith(MimeUtilities.MediaType, StringComparison.OrdinalIgnoreCase);

    private static string? FindSpecVersion(IReadOnlyList<MqttUserProperty>? userProperties) =>
        MqttUserProperties.Find(userProperties, CloudEventsSpecVersion.SpecVersionAttribute.Name);

    /// <summary>
    /// CloudEvents attribute names are lowercase letters and digits; other User Properties (e.g. a camera's <c>seq</c>
    /// is one, <c>capturedAt</c> is not) belong to the application, not the event, and are left alone.
    /// </summary>
    private static bool IsAttributeName(string name) => AttributeNameRegex().IsMatch(name);

    [GeneratedRegex("^[a-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AttributeNameRegex();
}
