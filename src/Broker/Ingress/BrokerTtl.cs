using System.Globalization;
using CloudNative.CloudEvents;

namespace Skylark.Events.Broker.Ingress;

/// <summary>
/// Knative's loop prevention: the <c>knativebrokerttl</c> extension counts how many more times an event may pass
/// through a broker. The ingress defaults it, decrements it on every pass and rejects the event once it reaches 0.
/// Subscribers never see it; a reply carries the TTL of the event it answers back into the ingress.
/// </summary>
public static class BrokerTtl
{
    public const string ExtensionName = "knativebrokerttl";

    /// <summary>TTL given to an event that enters without one (Knative's default).</summary>
    public const int Default = 255;

    /// <summary>
    /// The TTL of an event entering the ingress: absent or not an integer → <see cref="Default"/>;
    /// otherwise one less than it carried, never below 0.
    /// </summary>
    public static int OnArrival(int? carried) => carried is { } ttl ? Math.Max(ttl - 1, 0) : Default;

    /// <summary>Reads the extension (string or integer typed) and removes it from the event.</summary>
    public static int? Take(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var raw = cloudEvent[ExtensionName];
        if (raw is null)
        {
            return null;
        }

        cloudEvent[ExtensionName] = null;
        return raw switch
        {
            int value => value,
            string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) => value,
            _ => null,
        };
    }
}
