namespace Skylark.Events.Identity;

/// <summary>
/// Whose bearer tokens a receiver trusts. On a cluster: the API server's issuer (discovery through
/// <c>&lt;issuer&gt;/.well-known/openid-configuration</c>, with the pod's CA bundle and its own token). On one machine:
/// the local issuer <c>skylark up</c> runs, or the key set file it writes.
/// </summary>
public sealed class SenderVerificationOptions
{
    /// <summary>The trusted issuer: tokens must carry it as <c>iss</c>. Its discovery document is fetched unless <see cref="KeySetFile"/> is set.</summary>
    public Uri? Issuer { get; set; }

    /// <summary>A JWKS file whose keys are trusted instead of discovery; re-read when a token names a key it lacks.</summary>
    public string? KeySetFile { get; set; }

    /// <summary>A PEM bundle of roots to trust for an https issuer (a pod's <c>serviceaccount/ca.crt</c>); null trusts the system's roots.</summary>
    public string? CaFile { get; set; }

    /// <summary>A token sent when fetching discovery and keys: the API server asks for one unless anonymous discovery is bound.</summary>
    public string? DiscoveryTokenFile { get; set; }

    /// <summary>How far a token's times may be off the receiver's clock.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys are fetched again after this even when nothing asks for it, so retired keys stop being trusted.</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The least time between two fetches caused by tokens naming an unknown key: a rotated key is picked up on its
    /// first token, but a stream of forged key ids cannot make the receiver hammer the issuer.
    /// </summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => Issuer is not null || KeySetFile is not null;

    /// <summary>Copies every setting to <paramref name="target"/>: a service's options hold one of these, and its verification is configured from it.</summary>
    public void CopyTo(SenderVerificationOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Issuer = Issuer;
        target.KeySetFile = KeySetFile;
        target.CaFile = CaFile;
        target.DiscoveryTokenFile = DiscoveryTokenFile;
        target.ClockSkew = ClockSkew;
        target.KeyRefreshInterval = KeyRefreshInterval;
        target.UnknownKeyRefreshInterval = UnknownKeyRefreshInterval;
    }

    internal void Validate()
    {
        if (Issuer is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"{nameof(Issuer)} must be an absolute URL.", nameof(Issuer));
        }

        if (Issuer is { } issuer && issuer.Scheme != Uri.UriSchemeHttps && !(issuer.Scheme == Uri.UriSchemeHttp && issuer.IsLoopback))
        {
            throw new ArgumentException($"{nameof(Issuer)} {issuer} must be https unless it is on this machine (loopback http).", nameof(Issuer));
        }

        if (KeySetFile is not null && !File.Exists(KeySetFile))
        {
            throw new ArgumentException($"{nameof(KeySetFile)} {KeySetFile} does not exist.", nameof(KeySetFile));
        }

        if (CaFile is not null && !File.Exists(CaFile))
        {
            throw new ArgumentException($"{nameof(CaFile)} {CaFile} does not exist.", nameof(CaFile));
        }

        if (DiscoveryTokenFile is not null && !File.Exists(DiscoveryTokenFile))
        {
            throw new ArgumentException($"{nameof(DiscoveryTokenFile)} {DiscoveryTokenFile} does not exist.", nameof(DiscoveryTokenFile));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ClockSkew, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(KeyRefreshInterval, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnknownKeyRefreshInterval, TimeSpan.Zero);
    }
}
