using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Skylark.Events.Eventing.Resources;

/// <summary>The naming rules Kubernetes and Knative apply to resource names and CloudEvents attribute names.</summary>
public static partial class KnativeNames
{
    private const int MaxSubdomainLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>A Kubernetes object name: an RFC 1123 subdomain (lowercase alphanumerics, '-' and '.').</summary>
    public static bool IsDnsSubdomain(string? value) =>
        value is { Length: > 0 and <= MaxSubdomainLength } && DnsSubdomain().IsMatch(value);

    /// <summary>A Kubernetes namespace name: an RFC 1123 label (lowercase alphanumerics and '-').</summary>
    public static bool IsDnsLabel(string? value) =>
        value is { Length: > 0 and <= MaxLabelLength } && DnsLabel().IsMatch(value);

    /// <summary>
    /// Knative's rule for attribute names in trigger filters: a lowercase letter, then lowercase letters or digits.
    /// Stricter than CloudEvents (which allows a leading digit) because Knative rejects those in filters.
    /// </summary>
    public static bool IsFilterAttributeName(string? value) => value is { Length: > 0 } && FilterAttributeName().IsMatch(value);

    /// <summary>CloudEvents extension names as Knative accepts them in <c>ceOverrides</c>: lowercase letters and digits.</summary>
    public static bool IsExtensionName(string? value) => value is { Length: > 0 } && ExtensionName().IsMatch(value);

    /// <summary>
    /// knative.dev/pkg kmeta.ChildName: <paramref name="parent"/> + <paramref name="suffix"/> when that fits in 63
    /// characters. Otherwise, with a suffix under 31 characters, the parent's first 31 - |suffix| characters, the MD5
    /// of the parent in hex, then the suffix (63 in all). With a longer suffix, the parent's first 31 characters, the
    /// MD5 of parent + suffix in hex, as much of the suffix as still fits, and trailing non-alphanumerics dropped.
    /// </summary>
    /// <remarks>
    /// Knative names every generated resource this way (an OIDC service account among them), so a name computed here
    /// is the one a cluster has. Go slices bytes; Kubernetes names are ASCII, where bytes and chars agree.
    /// </remarks>
    public static string ChildName(string parent, string suffix)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(suffix);
        if (!Ascii.IsValid(parent) || !Ascii.IsValid(suffix))
        {
            throw new ArgumentException($"Kubernetes names are ASCII; got \"{parent}\" and \"{suffix}\".");
        }

        if (parent.Length + suffix.Length <= MaxLabelLength)
        {
            return parent + suffix;
        }

        if (suffix.Length >= ChildNameHead)
        {
            var name = parent[..Math.Min(parent.Length, ChildNameHead)] + Md5Hex(parent + suffix);
            if (MaxLabelLength - name.Length is > 0 and var room)
            {
                name += suffix[..room];
            }

            return name.TrimEnd(NotAlphanumeric);
        }

        return parent[..(ChildNameHead - suffix.Length)] + Md5Hex(parent) + suffix;
    }

    // What Knative keeps of the parent: the 63 characters of a name less the 32 of an MD5 in hex.
    private const int ChildNameHead = MaxLabelLength - 32;

    private static readonly char[] NotAlphanumeric = [.. Enumerable.Range(0, 128).Select(c => (char)c).Where(c => !char.IsAsciiLetterOrDigit(c))];

    // Not for security: Knative uses MD5 only to keep truncated names distinct, and the names must match its own.
#pragma warning disable CA5351
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
#pragma warning restore CA5351

    public const string DnsSubdomainRule =
        "must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit";

    public const string DnsLabelRule =
        "must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

    public const string FilterAttributeNameRule = "must start with a lowercase letter and contain only lowercase letters and digits";

    public const string ExtensionNameRule = "must contain only lowercase letters and digits";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z][a-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FilterAttributeName();

    [GeneratedRegex("^[a-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionName();
}
