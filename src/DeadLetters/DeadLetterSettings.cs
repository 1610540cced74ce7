using Skylark.Events.Hosting;

namespace Skylark.Events.DeadLetters;

/// <summary>The standalone service's settings, by the service contract: the log file and the largest event.</summary>
public sealed record DeadLetterSettings(string LogPath, long? MaxEventBytes)
{
    public static readonly Setting LogSetting = new("dead-letter-log", "The dead-letter log: a JSON Lines file, created with mode 0600 when missing (on a cluster, a path on a persistent volume).");

    public static readonly Setting MaxEventBytesSetting = new("max-event-bytes", $"The largest dead letter accepted, in bytes (default {DeadLetterOptions.DefaultMaxEventBytes}); larger ones get 413.");

    /// <exception cref="ServiceConfigurationException">A required setting is missing or a value is malformed; every problem is named.</exception>
    public static DeadLetterSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var log = settings.Required(LogSetting);
        var maxEventBytes = settings.Int64(MaxEventBytesSetting, 1, DeadLetterOptions.MaxMaxEventBytes);
        settings.ThrowIfInvalid();
        return new DeadLetterSettings(log!, maxEventBytes);
    }

    public void Configure(DeadLetterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LogPath = LogPath;
        if (MaxEventBytes is { } max)
        {
            options.MaxEventBytes = max;
        }
    }
}
