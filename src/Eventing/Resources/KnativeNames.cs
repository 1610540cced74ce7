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
