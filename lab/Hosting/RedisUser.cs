using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// A Redis ACL user a <see cref="RedisProcess"/> starts with: its name, its password, and its rules (e.g.
/// <see cref="State.RedisAclRules.ForFunction"/>). The process always keeps <c>default</c> with the
/// <see cref="RedisProcess.Password"/> and every permission, as the lab's own credential.
/// </summary>
public sealed partial record RedisUser
{
    private RedisUser(string name, string password, string rules)
    {
        Name = name;
        Password = password;
        Rules = rules;
    }

    public string Name { get; }

    public string Password { get; }

    public string Rules { get; }

    /// <summary>A user with a fresh random password.</summary>
    /// <exception cref="ArgumentException">The name is not a plain word, or the rules would end the config line.</exception>
    public static RedisUser Create(string name, string rules)
    {
        if (name is null || !NameRegex().IsMatch(name) || name == "default")
        {
            throw new ArgumentException($"Redis user name '{name}' must match [A-Za-z0-9_.-]+ and not be 'default'.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Contains('\n', StringComparison.Ordinal) || rules.Contains('\r', StringComparison.Ordinal) || rules.Contains('>', StringComparison.Ordinal))
        {
            throw new ArgumentException("Redis ACL rules must be one line and may not set a password.", nameof(rules));
        }

        return new RedisUser(name, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), rules);
    }

    /// <summary>The config file line, with the password: it goes only to redis-server's standard input.</summary>
    internal string ConfigLine => $"user {Name} reset on >{Password} {Rules}";

    public override string ToString() => $"Redis user {Name}";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
