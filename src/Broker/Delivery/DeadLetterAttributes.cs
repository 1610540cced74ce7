using System.Globalization;

namespace Skylark.Events.Broker.Delivery;

/// <summary>
/// The extensions Knative adds to an event it dead-letters, describing the last failed attempt — in one place.
/// </summary>
public static class DeadLetterAttributes
{
    public const string Destination = "knativeerrordest";
    public const string Code = "knativeerrorcode";
    public const string Data = "knativeerrordata";

    /// <summary>
    /// <see cref="Data"/> carries the base64 of at most this many bytes of the subscriber's response body
    /// (docs/contracts.md): enough for an error message, bounded so a large body cannot bloat the dead letter.
    /// </summary>
    public const int MaxDataBytes = 1024;

    /// <summary>
    /// The extensions for a dead letter after <paramref name="lastAttempt"/> to <paramref name="destination"/>;
    /// <see cref="Data"/> is left out when there is no response body.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(Uri destination, DeliveryAttempt lastAttempt)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(lastAttempt);

        var extensions = new List<KeyValuePair<string, string>>(3)
        {
            new(Destination, destination.AbsoluteUri),
            new(Code, lastAttempt.StatusCode.ToString(CultureInfo.InvariantCulture)),
        };

        if (!lastAttempt.ErrorData.IsEmpty)
        {
            extensions.Add(new(Data, EncodeData(lastAttempt.ErrorData.Span)));
        }

        return extensions;
    }

    public static string EncodeData(ReadOnlySpan<byte> body)
    {
        return Convert.ToBase64String(body[..Math.Min(body.Length, MaxDataBytes)]);
    }
}
