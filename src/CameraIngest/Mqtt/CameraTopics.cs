using System.Diagnostics.CodeAnalysis;

namespace Skylark.Events.CameraIngest.Mqtt;

/// <summary>
/// The MQTT topic layout around cameras:
/// <list type="bullet">
/// <item><c>cameras/&lt;camera&gt;/frames</c>: a plain camera's raw JPEG frames (optional user properties <c>seq</c>, <c>capturedAt</c>).</item>
/// <item><c>cameras/&lt;camera&gt;/events</c>: CloudEvents from a camera that speaks them (binary or structured mode).</item>
/// <item><c>skylark/deadletter/&lt;camera&gt;</c>: what the ingest bridge could not turn into an event, with the reason.</item>
/// <item><c>alarms/&lt;camera&gt;</c>: alarms raised for a camera (published by the alarm function).</item>
/// </list>
/// </summary>
public static class CameraTopics
{
    public const string FramesFilter = "cameras/+/frames";
    public const string EventsFilter = "cameras/+/events";
    public const string DeadLetterPrefix = "skylark/deadletter";
    public const string AlarmsPrefix = "alarms";

    /// <summary>User property of a raw frame: the camera's frame number (a non-negative integer).</summary>
    public const string SeqProperty = "seq";

    /// <summary>User property of a raw frame: when it was captured (RFC 3339).</summary>
    public const string CapturedAtProperty = "capturedAt";

    public static string Frames(string camera) => $"cameras/{RequireLevel(camera)}/frames";

    public static string Events(string camera) => $"cameras/{RequireLevel(camera)}/events";

    public static string DeadLetter(string camera) => $"{DeadLetterPrefix}/{RequireLevel(camera)}";

    public static string Alarms(string camera) => $"{AlarmsPrefix}/{RequireLevel(camera)}";

    /// <summary>A topic level a publisher may use: not empty, no '/', no wildcard, no NUL.</summary>
    public static bool IsValidLevel([NotNullWhen(true)] string? level) =>
        !string.IsNullOrEmpty(level) && level.IndexOfAny(['/', '+', '#', '\0']) < 0;

    /// <summary>
    /// Matches <paramref name="topic"/> against <paramref name="filter"/> ('+' one level, '#' the rest) and returns the
    /// level the first '+' matched, e.g. the camera of <c>cameras/cam-1/frames</c> under <c>cameras/+/frames</c>.
    /// </summary>
    public static bool TryMatch(string filter, string topic, out string firstWildcardLevel)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        firstWildcardLevel = "";
        var filterLevels = filter.Split('/');
        var topicLevels = topic.Split('/');
        string? captured = null;
        for (var i = 0; i < filterLevels.Length; i++)
        {
            if (filterLevels[i] == "#")
            {
                firstWildcardLevel = captured ?? "";
                return captured is not null;
            }

            if (i >= topicLevels.Length)
            {
                return false;
            }

            if (filterLevels[i] == "+")
            {
                captured ??= topicLevels[i];
            }
            else if (!string.Equals(filterLevels[i], topicLevels[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (filterLevels.Length != topicLevels.Length || captured is null)
        {
            return false;
        }

        firstWildcardLevel = captured;
        return true;
    }

    /// <summary>
    /// What the bridge subscribes to for <paramref name="filters"/>: each filter widened to its levels before the first
    /// wildcard plus <c>#</c> (<c>cameras/+/frames</c> and <c>cameras/+/events</c> give <c>cameras/#</c>), so a message
    /// on a topic the filters do not take (<c>cameras//frames</c>, which not every broker matches to '+';
    /// <c>cameras/a/b/frames</c>) still reaches the bridge and is dead-lettered with a reason instead of vanishing.
    /// A widened filter inside another one is left out: overlapping subscriptions would bring a message twice. When a
    /// filter begins with a wildcard there is nothing to widen to short of every topic, and the filters are kept as they are.
    /// </summary>
    public static IReadOnlyList<string> Subscriptions(params string[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var prefixes = new List<string>();
        foreach (var filter in filters)
        {
            var levels = filter.Split('/');
            var fixedLevels = levels.TakeWhile(level => level is not ("+" or "#")).Count();
            if (fixedLevels == 0)
            {
                return [.. filters.Distinct(StringComparer.Ordinal)];
            }

            prefixes.Add(string.Join('/', levels.Take(fixedLevels)));
        }

        return [.. prefixes
            .Distinct(StringComparer.Ordinal)
            .Where(prefix => !prefixes.Any(other => prefix.StartsWith(other + "/", StringComparison.Ordinal)))
            .Select(prefix => prefix + "/#")];
    }

    /// <exception cref="ArgumentException">The filter is not a valid MQTT filter with at least one '+' for the camera.</exception>
    public static void EnsureCameraFilter(string filter, string what)
    {
        if (string.IsNullOrEmpty(filter))
        {
            throw new ArgumentException($"{what} is empty; expected a filter such as '{FramesFilter}'.");
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            var wildcard = level is "+" or "#";
            if (!wildcard && level.IndexOfAny(['+', '#', '\0']) >= 0)
            {
                throw new ArgumentException($"{what} '{filter}': a wildcard must take a whole level.");
            }

            if (level == "#" && i != levels.Length - 1)
            {
                throw new ArgumentException($"{what} '{filter}': '#' must be the last level.");
            }
        }

        if (!levels.Contains("+"))
        {
            throw new ArgumentException($"{what} '{filter}' has no '+' level to take the camera id from.");
        }
    }

    private static string RequireLevel(string level) =>
        IsValidLevel(level)
            ? level
            : throw new ArgumentException($"'{level}' cannot be an MQTT topic level: it must be non-empty without '/', '+', '#'.", nameof(level));
}
