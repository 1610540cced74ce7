using System.Text.RegularExpressions;

namespace Skylark.Events.Topology;

/// <summary>
/// The API server's own syntax rules for what a service is configured with (a namespace, a label selector), checked
/// before the first request: a typo then stops the start with the setting's name instead of failing every refresh
/// with a 400 from the API server.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>A namespace name: an RFC 1123 label (lower-case letters, digits, '-', at most 63 characters).</summary>
    public static bool IsNamespace(string? name) => name is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(name);

    /// <summary>
    /// Why <paramref name="selector"/> is not a label selector the API server accepts, or null when it is one.
    /// Requirements are comma-separated: <c>key</c>, <c>!key</c>, <c>key=value</c>, <c>key==value</c>,
    /// <c>key!=value</c>, <c>key in (a,b)</c>, <c>key notin (a,b)</c>, <c>key&gt;1</c>, <c>key&lt;1</c>.
    /// An empty selector is refused: it would select every pod of the namespace.
    /// </summary>
    public static string? LabelSelectorProblem(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return "is empty; it would select every pod";
        }

        foreach (var requirement in SplitRequirements(selector))
        {
            var text = requirement.Trim();
            if (text.Length == 0)
            {
                return "has an empty requirement (two commas in a row, or one at an end)";
            }

            if (Existence().Match(text) is { Success: true } exists)
            {
                if (KeyProblem(exists.Groups["key"].Value) is { } problem)
                {
                    return problem;
                }

                continue;
            }

            if (Comparison().Match(text) is { Success: true } comparison)
            {
                var op = comparison.Groups["op"].Value;
                var value = comparison.Groups["value"].Value;
                if ((KeyProblem(comparison.Groups["key"].Value) ?? ValueProblem(value)) is { } problem)
                {
                    return problem;
                }

                if (op is "<" or ">" && !long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    return $"compares '{comparison.Groups["key"].Value}' with '{op}' to '{value}', which is not a whole number";
                }

                continue;
            }

            if (SetMembership().Match(text) is { Success: true } membership)
            {
                if (KeyProblem(membership.Groups["key"].Value) is { } problem)
                {
                    return problem;
                }

                var values = membership.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries);
                if (values is [""])
                {
                    return $"lists no value in '{text}'";
                }

                foreach (var value in values)
                {
                    if (ValueProblem(value) is { } valueProblem)
                    {
                        return valueProblem;
                    }
                }

                continue;
            }

            return $"has '{text}', which is not a requirement (key, !key, key=value, key!=value, key in (a,b), key notin (a,b))";
        }

        return null;
    }

    /// <summary>Commas inside <c>in (…)</c> lists separate values, not requirements.</summary>
    private static IEnumerable<string> SplitRequirements(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            switch (selector[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return selector[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return selector[start..];
    }

    private static string? KeyProblem(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash >= 0 ? key[..slash] : null;
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        if (prefix is not null && (prefix.Length is 0 or > 253 || !Dns1123Subdomain().IsMatch(prefix)))
        {
            return $"has the key '{key}', whose prefix is not a DNS subdomain";
        }

        return name.Length is > 0 and <= 63 && LabelName().IsMatch(name)
            ? null
            : $"has the key '{key}', which is not a label name (letters, digits, '-', '_', '.', at most 63 characters, starting and ending alphanumeric)";
    }

    private static string? ValueProblem(string value) =>
        value.Length == 0 || (value.Length <= 63 && LabelName().IsMatch(value))
            ? null
            : $"has the value '{value}', which is not a label value (letters, digits, '-', '_', '.', at most 63 characters, starting and ending alphanumeric)";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^!?\s*(?<key>[^\s!=<>(),]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Existence();

    [GeneratedRegex(@"^(?<key>[^\s!=<>(),]+)\s*(?<op>==|=|!=|<|>)\s*(?<value>[^\s!=<>(),]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Comparison();

    [GeneratedRegex(@"^(?<key>[^\s!=<>(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SetMembership();
}
