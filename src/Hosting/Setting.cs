using System.Text.RegularExpressions;

namespace Skylark.Events.Hosting;

/// <summary>
/// One configuration key of the service contract. The same name means the same thing in every service, and each key
/// has exactly two spellings: the flag <c>--redis-password-file</c> and the environment variable
/// <c>SKYLARK_REDIS_PASSWORD_FILE</c> (or a standard name a platform sets, such as Knative's <c>K_SINK</c>).
/// </summary>
/// <remarks>
/// A secret is never taken from the command line (anyone on the machine can read it there, in <c>ps</c> or
/// <c>/proc</c>): only from its environment variable, or from a file named by its <c>-file</c> companion, as a
/// Kubernetes Secret is mounted.
/// </remarks>
public sealed partial record Setting
{
    public const string EnvironmentPrefix = "SKYLARK_";

    public Setting(string name, string description, string? environment = null, bool secret = false)
    {
        if (name is null || !NameRegex().IsMatch(name))
        {
            throw new ArgumentException($"A setting's name is lower-case words joined by '-'; '{name}' is not.", nameof(name));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Name = name;
        Description = description;
        Environment = environment ?? EnvironmentPrefix + name.Replace('-', '_').ToUpperInvariant();
        Secret = secret;
    }

    /// <summary>The key, e.g. <c>redis-password-file</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>The environment variable, e.g. <c>SKYLARK_REDIS_PASSWORD_FILE</c>.</summary>
    public string Environment { get; }

    /// <summary>Only from the environment or a file, never from the command line.</summary>
    public bool Secret { get; }

    /// <summary>The command-line flag, e.g. <c>--redis-password-file</c>.</summary>
    public string Flag => "--" + Name;

    /// <summary>How a message names the setting: both spellings, so a reader finds it whichever one they used.</summary>
    public string Display => Secret ? Environment : $"{Flag} ({Environment})";

    public override string ToString() => Display;

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex NameRegex();
}
