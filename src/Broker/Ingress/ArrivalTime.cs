using System.Globalization;
using CloudNative.CloudEvents;

namespace Skylark.Events.Broker.Ingress;

/// <summary>Knative stamps every event entering a broker with the time it arrived (RFC 3339, UTC), replacing any earlier stamp.</summary>
public static class ArrivalTime
{
    public const string ExtensionName = "knativearrivaltime";

    public static void Stamp(CloudEvent cloudEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);

        // From a string: parsed per the attribute's type if a caller declared it (e.g. as a timestamp), else a string.
        cloudEvent.SetAttributeFromString(ExtensionName, Format(now));
    }

    /// <summary>Round-trip form of the UTC time, e.g. <c>2025-03-04T03:06:07.8900000Z</c>.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
