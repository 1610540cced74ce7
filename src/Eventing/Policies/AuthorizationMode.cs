namespace Skylark.Events.Eventing.Policies;

/// <summary>
/// Knative's <c>default-authorization-mode</c> (config-features): what a receiver no EventPolicy applies to admits.
/// </summary>
public enum AuthorizationMode
{
    /// <summary><c>allow-same-namespace</c>, Knative's default: service accounts of the receiver's namespace.</summary>
    AllowSameNamespace,

    /// <summary><c>allow-all</c>: every authenticated sender.</summary>
    AllowAll,

    /// <summary><c>deny-all</c>: no one.</summary>
    DenyAll,
}

/// <summary>The Knative spellings of <see cref="AuthorizationMode"/>.</summary>
public static class AuthorizationModes
{
    public const string AllowSameNamespaceText = "allow-same-namespace";
    public const string AllowAllText = "allow-all";
    public const string DenyAllText = "deny-all";

    public static bool TryParse(string? text, out AuthorizationMode mode)
    {
        (var known, mode) = text switch
        {
            AllowSameNamespaceText => (true, AuthorizationMode.AllowSameNamespace),
            AllowAllText => (true, AuthorizationMode.AllowAll),
            DenyAllText => (true, AuthorizationMode.DenyAll),
            _ => (false, AuthorizationMode.AllowSameNamespace),
        };
        return known;
    }

    /// <exception cref="FormatException">Not one of Knative's three spellings.</exception>
    public static AuthorizationMode Parse(string text) =>
        TryParse(text, out var mode)
            ? mode
            : throw new FormatException($"Unknown default-authorization-mode \"{text}\"; expected {AllowSameNamespaceText}, {AllowAllText} or {DenyAllText}.");

    public static string ToKnativeString(this AuthorizationMode mode) => mode switch
    {
        AuthorizationMode.AllowSameNamespace => AllowSameNamespaceText,
        AuthorizationMode.AllowAll => AllowAllText,
        AuthorizationMode.DenyAll => DenyAllText,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown authorization mode"),
    };
}
