using System.Diagnostics.CodeAnalysis;
using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Finds a context attribute or extension of an event by name, the way every filter dialect addresses attributes.
/// </summary>
public static class EventAttributeLookup
{
    public const string SpecVersion = "specversion";

    /// <summary>The attribute's definition and value, or false when the event does not carry it.</summary>
    public static bool TryGetValue(
        CloudEvent cloudEvent,
        string name,
        [NotNullWhen(true)] out CloudEventAttribute? attribute,
        [NotNullWhen(true)] out object? value)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(name);

        // The SDK keeps specversion outside the attribute indexer; Knative treats it as an ordinary attribute.
        if (string.Equals(name, SpecVersion, StringComparison.Ordinal))
        {
            attribute = CloudEventsSpecVersion.SpecVersionAttribute;
            value = cloudEvent.SpecVersion.VersionId;
            return true;
        }

        attribute = cloudEvent.GetAttribute(name);
        value = attribute is null ? null : cloudEvent[attribute];
        if (attribute is null || value is null)
        {
            attribute = null;
            value = null;
            return false;
        }

        return true;
    }

    /// <summary>The attribute's canonical string form (<see cref="CloudEventAttribute.Format"/>), or false when absent.</summary>
    public static bool TryGetCanonicalString(CloudEvent cloudEvent, string name, [NotNullWhen(true)] out string? value)
    {
        if (TryGetValue(cloudEvent, name, out var attribute, out var raw))
        {
            value = raw as string ?? attribute.Format(raw);
            return true;
        }

        value = null;
        return false;
    }
}
