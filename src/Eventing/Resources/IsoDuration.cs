using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// ISO-8601 durations as Knative writes them in a DeliverySpec (<c>PT0.2S</c>, <c>PT1M</c>, <c>P1D</c>, <c>P2W</c>).
/// Years and months have no fixed length; like xs:duration they count as 365 and 30 days.
/// </summary>
public static partial class IsoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() != text)
        {
            return false;
        }

        // xs:duration (what XmlConvert reads) has no weeks; ISO-8601 and Knative's parser do.
        var weeks = Weeks().Match(text);
        if (weeks.Success)
        {
            if (!long.TryParse(weeks.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > TimeSpan.MaxValue.Days / 7)
            {
                return false;
            }

            duration = TimeSpan.FromDays(n * 7);
            if (weeks.Groups["sign"].Value == "-")
            {
                duration = -duration;
            }

            return true;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <exception cref="FormatException">Not an ISO-8601 duration.</exception>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not an ISO-8601 duration (e.g. PT0.2S, PT1M, P1D).");

    /// <summary>
    /// Writes <paramref name="duration"/> as an ISO-8601 duration that <see cref="TryParse"/> reads back exactly:
    /// days, hours, minutes and seconds with up to seven fraction digits (<c>PT0.2S</c>, <c>PT1H30M</c>, <c>P1D</c>).
    /// </summary>
    public static string Format(TimeSpan duration) =>
        // Days rather than years or months, whose lengths are conventions: the text then means one exact span.
        XmlConvert.ToString(duration);

    [GeneratedRegex("^(?<sign>-?)P(?<n>[0-9]+)W$", RegexOptions.CultureInvariant)]
    private static partial Regex Weeks();
}
