using System.Text.Json.Serialization;

namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// Per-camera alarm policy (the JSON <c>alarm.settings</c> bundle, or <see cref="AlarmFunctionOptions.DefaultSettings"/>):
/// the frame is split into a <see cref="GridColumns"/> × <see cref="GridRows"/> grid of zones; a zone raises when at
/// least <see cref="RequiredPositives"/> of the camera's last <see cref="WindowSize"/> observations within
/// <see cref="WindowSeconds"/> had a detection in it (debounce), and not again until <see cref="CooldownSeconds"/>
/// have passed since it last raised (cooldown). Validated at construction.
/// </summary>
public sealed record AlarmSettings
{
    public const int MaxGrid = 16;
    public const int MaxWindowSize = 100;
    public const int MaxHistoryLength = 1000;
    public const double MaxSeconds = 86_400;

    public static AlarmSettings Default { get; } = new();

    [JsonConstructor]
    public AlarmSettings(
        int gridColumns = 3,
        int gridRows = 3,
        int windowSize = 5,
        int requiredPositives = 3,
        double windowSeconds = 30,
        double cooldownSeconds = 60,
        int historyLength = 100)
    {
        RequireRange(gridColumns, 1, MaxGrid, nameof(gridColumns));
        RequireRange(gridRows, 1, MaxGrid, nameof(gridRows));
        RequireRange(windowSize, 1, MaxWindowSize, nameof(windowSize));
        RequireRange(requiredPositives, 1, windowSize, nameof(requiredPositives));
        if (!(windowSeconds > 0 && windowSeconds <= MaxSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, $"windowSeconds must be above 0 and at most {MaxSeconds}.");
        }

        if (!(cooldownSeconds >= 0 && cooldownSeconds <= MaxSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(cooldownSeconds), cooldownSeconds, $"cooldownSeconds must be between 0 and {MaxSeconds}.");
        }

        RequireRange(historyLength, 1, MaxHistoryLength, nameof(historyLength));
        GridColumns = gridColumns;
        GridRows = gridRows;
        WindowSize = windowSize;
        RequiredPositives = requiredPositives;
        WindowSeconds = windowSeconds;
        CooldownSeconds = cooldownSeconds;
        HistoryLength = historyLength;
    }

    public int GridColumns { get; }

    public int GridRows { get; }

    /// <summary>M: how many of the camera's most recent observations are considered.</summary>
    public int WindowSize { get; }

    /// <summary>N: how many of them must show the zone for it to raise.</summary>
    public int RequiredPositives { get; }

    /// <summary>Observations older than this do not count, however few came since.</summary>
    public double WindowSeconds { get; }

    public double CooldownSeconds { get; }

    /// <summary>Most alarms kept in <c>alarm.history</c> (oldest dropped first).</summary>
    public int HistoryLength { get; }

    [JsonIgnore]
    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    [JsonIgnore]
    public TimeSpan Cooldown => TimeSpan.FromSeconds(CooldownSeconds);

    private static void RequireRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
