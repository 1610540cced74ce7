using Skylark.Events.Hosting;

namespace Skylark.Events.Identity;

/// <summary>
/// The sender-identity settings every service reads (docs/configuration.md, docs/security.md): what a receiver trusts,
/// and where a sender finds its own token (a projected service-account token on a cluster, a file <c>skylark up</c>
/// writes on one machine).
/// </summary>
public static class SenderIdentitySettings
{
    public static readonly Setting OidcIssuer = new("oidc-issuer", "Receivers: the OIDC issuer whose bearer tokens are trusted (its discovery document names the keys), e.g. https://kubernetes.default.svc for service-account tokens. Without it or --oidc-keys, senders are not verified (a warning says so).");

    public static readonly Setting OidcKeys = new("oidc-keys", "Receivers: a JWKS file of trusted token keys, instead of the issuer's discovery document.");

    public static readonly Setting OidcCa = new("oidc-ca", "Receivers: a PEM bundle trusted for an https issuer (in a pod: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt).");

    public static readonly Setting OidcDiscoveryTokenFile = new("oidc-discovery-token-file", "Receivers: a token file sent when fetching the issuer's discovery document and keys (in a pod: its service-account token).");

    public static readonly Setting AuthorizationMode = new("authorization-mode", "Receivers: who may send when no EventPolicy applies, as Knative's default-authorization-mode: allow-same-namespace (default), allow-all or deny-all.");

    public static readonly Setting TokenFile = new("token-file", "Senders: the file holding this service's own identity token (a projected service-account token), sent as a bearer token; re-read when it changes.");

    /// <summary>Reads what a receiver trusts, as a configure action; problems are reported on <paramref name="settings"/>.</summary>
    public static Action<SenderVerificationOptions> ReadVerification(ServiceConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var issuer = settings.Url(OidcIssuer);
        var keys = settings.Get(OidcKeys);
        var ca = settings.Get(OidcCa);
        var discoveryToken = settings.Get(OidcDiscoveryTokenFile);
        if (keys is not null && !File.Exists(keys))
        {
            settings.Problem(OidcKeys, $"names '{keys}', which does not exist");
        }

        if ((ca is not null || discoveryToken is not null) && issuer is null)
        {
            settings.Problem(ca is not null ? OidcCa : OidcDiscoveryTokenFile, $"needs {OidcIssuer.Display}: there is no issuer to fetch keys from");
        }

        return verification =>
        {
            verification.Issuer = issuer ?? verification.Issuer;
            verification.KeySetFile = keys ?? verification.KeySetFile;
            verification.CaFile = ca ?? verification.CaFile;
            verification.DiscoveryTokenFile = discoveryToken ?? verification.DiscoveryTokenFile;
        };
    }
}
