using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// PingSource <c>spec.schedule</c> and <c>spec.timezone</c> as Knative reads them, shared by validation and the
/// PingSource runtime so both agree on what a schedule means.
/// </summary>
/// <remarks>
/// Knative uses robfig/cron's standard parser: 5 fields or a descriptor. We also take a 6-field form whose first
/// field is seconds, because Cronos supports it and sub-minute pings help tests and demos.
/// </remarks>
public static class PingSchedule
{
    /// <summary>The descriptors Knative accepts; <c>@every</c> is the one robfig has that Knative refuses.</summary>
    public static readonly IReadOnlyList<string> Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    /// <exception cref="FormatException">The schedule is not valid; the message says why.</exception>
    public static CronExpression Parse(string schedule) =>
        TryParse(schedule, out var expression, out var error) ? expression : throw new FormatException(error);

    public static bool TryParse(
        string? schedule,
        [NotNullWhen(true)] out CronExpression? expression,
        [NotNullWhen(false)] out string? error)
    {
        expression = null;
        if (string.IsNullOrWhiteSpace(schedule))
        {
            error = "schedule is empty";
            return false;
        }

        var trimmed = schedule.Trim();
        if (trimmed.StartsWith('@'))
        {
            return TryParseDescriptor(trimmed, out expression, out error);
        }

        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var format = fields.Length switch
        {
            5 => CronFormat.Standard,
            6 => CronFormat.IncludeSeconds,
            _ => (CronFormat?)null,
        };
        if (format is null)
        {
            error = $"'{schedule}' has {fields.Length} field(s); expected 5 (minute hour day-of-month month day-of-week) " +
                    "or 6 with a leading seconds field, or one of " + string.Join(", ", Descriptors);
            return false;
        }

        return TryCronos(string.Join(' ', fields), format.Value, schedule, out expression, out error);
    }

    /// <summary>Resolves an IANA time zone id such as <c>Europe/Berlin</c> (Windows ids are refused, as Knative would).</summary>
    public static bool TryParseTimeZone(
        string? timezone,
        [NotNullWhen(true)] out TimeZoneInfo? zone,
        [NotNullWhen(false)] out string? error)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(timezone))
        {
            error = "timezone is empty";
            return false;
        }

        try
        {
            var found = TimeZoneInfo.FindSystemTimeZoneById(timezone);
            if (!found.HasIanaId)
            {
                error = $"'{timezone}' is not an IANA time zone id (e.g. Europe/Berlin, America/New_York, UTC)";
                return false;
            }

            zone = found;
            error = null;
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            error = $"unknown time zone '{timezone}'; expected an IANA id such as Europe/Berlin, America/New_York or UTC";
            return false;
        }
    }

    /// <exception cref="FormatException">The time zone is not a known IANA id; the message says why.</exception>
    public static TimeZoneInfo ParseTimeZone(string timezone) =>
        TryParseTimeZone(timezone, out var zone, out var error) ? zone : throw new FormatException(error);

    private static bool TryParseDescriptor(string descriptor, out CronExpression? expression, out string? error)
    {
        if (descriptor.StartsWith("@every", StringComparison.Ordinal))
        {
            expression = null;
            error = $"unsupported descriptor @every in '{descriptor}'; Knative PingSource does not support @every, " +
                    "use a cron expression such as '*/5 * * * *'";
            return false;
        }

        if (!Descriptors.Contains(descriptor, StringComparer.Ordinal))
        {
            expression = null;
            error = $"unknown descriptor '{descriptor}'; expected one of " + string.Join(", ", Descriptors);
            return false;
        }

        return TryCronos(descriptor, CronFormat.Standard, descriptor, out expression, out error);
    }

    private static bool TryCronos(string text, CronFormat format, string original, out CronExpression? expression, out string? error)
    {
        try
        {
            expression = CronExpression.Parse(text, format);
            error = null;
            return true;
        }
        catch (CronFormatException e)
        {
            expression = null;
            error = $"invalid cron schedule '{original}': {e.Message}";
            return false;
        }
    }
}
