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

    /// <summary>Knative truncates the base64 text of <see cref="Data"/> to this many characters (768 body bytes).</summary>
    public const int MaxDataLength = 1024;

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
        // Whole base64 quanta only: MaxDataLength is a multiple of 4, so the truncated text still decodes.
        var bytes = Math.Min(body.Length, MaxDataLength / 4 * 3);
        return Convert.ToBase64String(body[..bytes]);
    }
}
