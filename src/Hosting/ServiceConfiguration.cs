using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;

namespace Skylark.Events.Hosting;

/// <summary>
/// Reads <see cref="Setting"/>s from a service's configuration (its <c>SKYLARK_*</c> environment variables and command
/// line, see <see cref="SkylarkService.CreateBuilder"/>) and collects every problem instead of stopping at the first,
/// so one start reports all that is wrong. <see cref="ThrowIfInvalid"/> ends the reading.
/// </summary>
public sealed class ServiceConfiguration
{
    private readonly IConfiguration _configuration;
    private readonly List<ConfigurationProblem> _problems = [];

    public ServiceConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
    }

    public IReadOnlyList<ConfigurationProblem> Problems => _problems;

    /// <summary>The trimmed value, or null when absent or blank. A secret given on the command line is a problem, not a value.</summary>
    public string? Get(Setting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (setting.Secret && OnCommandLine(setting))
        {
            Problem(setting, $"is a secret and is never read from the command line; set {setting.Environment} or name a file with --{setting.Name}-file");
            return null;
        }

        // The environment variable arrives without its prefix and with '_' (SKYLARK_REDIS_PASSWORD → REDIS_PASSWORD);
        // a standard name (K_SINK) arrives as itself.
        var value = _configuration[setting.Name]
            ?? _configuration[setting.Name.Replace('-', '_')]
            ?? _configuration[setting.Environment];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>A secret from its environment variable, or read from the file its <paramref name="file"/> setting names.</summary>
    public string? GetSecret(Setting secret, Setting file)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(file);
        var value = Get(secret);
        var path = Get(file);
        if (value is not null && path is not null)
        {
            Problem(file, $"and {secret.Environment} are both set; give the secret once");
            return null;
        }

        if (path is null)
        {
            return value;
        }

        try
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length == 0)
            {
                Problem(file, $"names '{path}', which is empty");
                return null;
            }

            return text;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Problem(file, $"names '{path}', which cannot be read: {error.Message}");
            return null;
        }
    }

    public string? Required(Setting setting)
    {
        var value = Get(setting);
        if (value is null && !HasProblem(setting))
        {
            Problem(setting, "is required");
        }

        return value;
    }

    /// <summary>An absolute http(s) URL.</summary>
    public Uri? Url(Setting setting, bool required = false)
    {
        var text = required ? Required(setting) : Get(setting);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        Problem(setting, $"must be an absolute http(s) URL; got '{text}'");
        return null;
    }

    public long? Int64(Setting setting, long minimum = long.MinValue, long maximum = long.MaxValue)
    {
        var text = Get(setting);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        Problem(setting, $"must be a whole number from {minimum} to {maximum}; got '{text}'");
        return null;
    }

    public bool? Boolean(Setting setting)
    {
        var text = Get(setting);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Problem(setting, $"must be true or false; got '{text}'");
        return null;
    }

    private static readonly string[] TimestampFormats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    /// <summary>A point in time as ISO 8601 with its offset, e.g. <c>2026-12-05T10:00:00Z</c>: a time without one would mean something else on every machine.</summary>
    public DateTimeOffset? Timestamp(Setting setting)
    {
        var text = Get(setting);
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value;
        }

        Problem(setting, $"must be an ISO 8601 time with its offset, such as 2026-12-05T10:00:00Z; got '{text}'");
        return null;
    }

    /// <summary>A duration as <c>500ms</c>, <c>30s</c>, <c>5m</c> or <c>1h</c>.</summary>
    public TimeSpan? Duration(Setting setting, TimeSpan minimum, TimeSpan maximum)
    {
        var text = Get(setting);
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        Problem(setting, $"must be a duration such as 500ms, 30s or 5m, from {Durations.Format(minimum)} to {Durations.Format(maximum)}; got '{text}'");
        return null;
    }

    /// <summary>One of <paramref name="allowed"/>, compared ignoring case; returns the allowed spelling.</summary>
    public string? OneOf(Setting setting, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var text = Get(setting);
        if (text is null)
        {
            return null;
        }

        if (allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase)) is { } match)
        {
            return match;
        }

        Problem(setting, $"must be one of {string.Join(", ", allowed)}; got '{text}'");
        return null;
    }

    /// <summary>A comma-separated list, blank entries dropped.</summary>
    public IReadOnlyList<string> List(Setting setting) =>
        Get(setting)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary><c>name=url,name=url</c>, each URL absolute http(s).</summary>
    public IReadOnlyDictionary<string, Uri> UrlMap(Setting setting)
    {
        var map = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var pair in List(setting))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0
                || !Uri.TryCreate(pair[(equals + 1)..], UriKind.Absolute, out var url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                Problem(setting, $"entries are <name>=<http(s) url>; '{pair}' is not");
                continue;
            }

            map[pair[..equals]] = url;
        }

        return map;
    }

    /// <summary>Records a problem found by the caller's own check of a value read here.</summary>
    public void Problem(Setting setting, string problem)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        _problems.Add(new ConfigurationProblem(setting, problem));
    }

    /// <exception cref="ServiceConfigurationException">Any problem was found.</exception>
    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0)
        {
            throw new ServiceConfigurationException(_problems);
        }
    }

    private bool HasProblem(Setting setting) => _problems.Any(p => p.Setting == setting);

    private bool OnCommandLine(Setting setting) =>
        _configuration is IConfigurationRoot root
        && root.Providers.OfType<CommandLineConfigurationProvider>().Any(p =>
            p.TryGet(setting.Name, out _) || p.TryGet(setting.Name.Replace('-', '_'), out _));
}

/// <summary>What is wrong with one setting; <see cref="ToString"/> is the one line a failed start prints.</summary>
public sealed record ConfigurationProblem(Setting Setting, string Problem)
{
    public override string ToString() => $"{Setting.Display} {Problem}.";
}
