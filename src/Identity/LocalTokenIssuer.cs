using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Skylark.Events.Hosting;

namespace Skylark.Events.Identity;

/// <summary>
/// The token issuer <c>skylark up</c> runs on one machine, in place of the Kubernetes API server: one ECDSA P-256 key
/// (ES256) kept in <c>issuer-key.pem</c> (0600) so tokens survive a restart, and the same discovery and key set
/// addresses as the API server so receivers need not know which of the two they trust.
/// </summary>
public sealed class LocalTokenIssuer : IDisposable
{
    public const string KeyFileName = "issuer-key.pem";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly ECDsa key;
    private readonly SigningCredentials credentials;
    private readonly TimeProvider time;

    private LocalTokenIssuer(ECDsa key, Uri issuer, TimeProvider time)
    {
        this.key = key;
        this.time = time;
        Issuer = issuer;
        Name = IssuerNames.Of(issuer);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        X = Base64UrlEncoder.Encode(parameters.Q.X);
        Y = Base64UrlEncoder.Encode(parameters.Q.Y);
        KeyId = Thumbprint(X, Y);
        // A factory of its own: the library's shared one caches signers by key id, and an issuer loaded again from the
        // same key file (a second cluster in one process) would be handed the first one's signer, whose key is disposed.
        SigningKey = new ECDsaSecurityKey(key) { KeyId = KeyId, CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
        credentials = new SigningCredentials(SigningKey, SecurityAlgorithms.EcdsaSha256) { CryptoProviderFactory = SigningKey.CryptoProviderFactory };
        KeySetJson = BuildKeySet();
        DiscoveryJson = BuildDiscovery();
    }

    public Uri Issuer { get; }

    /// <summary>The issuer as tokens carry it in <c>iss</c> (no trailing slash), which is also the audience of tokens for <c>/token</c>.</summary>
    public string Name { get; }

    /// <summary>The RFC 7638 thumbprint of the public key: the same key always gets the same <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary>The JWKS with the public key only.</summary>
    public string KeySetJson { get; }

    /// <summary>The OpenID discovery document, with <c>jwks_uri</c> where the API server puts it.</summary>
    public string DiscoveryJson { get; }

    internal ECDsaSecurityKey SigningKey { get; }

    internal TimeProvider Time => time;

    private string X { get; }

    private string Y { get; }

    /// <summary>Loads <c>&lt;directory&gt;/issuer-key.pem</c>, creating it (0600, folder 0700) with a new key when missing.</summary>
    public static LocalTokenIssuer CreateOrLoad(string directory, Uri issuerUrl, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(issuerUrl);
        if (!issuerUrl.IsAbsoluteUri)
        {
            throw new ArgumentException($"The issuer URL {issuerUrl} must be absolute.", nameof(issuerUrl));
        }

        OwnerOnlyFiles.CreateFolder(directory);
        var path = Path.Combine(directory, KeyFileName);
        var key = ECDsa.Create();
        try
        {
            if (!TryLoad(path, key))
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP256);
                Store(path, key);
            }

            return new LocalTokenIssuer(key, issuerUrl, time ?? TimeProvider.System);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A token for <paramref name="subject"/>, valid for <paramref name="audiences"/> from now for <paramref name="lifetime"/>.</summary>
    public string Issue(string subject, IReadOnlyList<string> audiences, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(audiences);
        if (audiences.Count == 0 || audiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A token needs at least one audience, none empty.", nameof(audiences));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Name,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                // One audience as a string, as the API server writes it; several as an array.
                [JwtRegisteredClaimNames.Aud] = audiences.Count == 1 ? audiences[0] : audiences.ToArray(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            },
        };
        return Handler.CreateToken(descriptor);
    }

    /// <summary>Writes <see cref="KeySetJson"/> to <paramref name="path"/> (public keys only) for receivers that trust a file.</summary>
    public void WriteKeySet(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Written aside and moved, so a receiver re-reading it never sees half a key set.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, KeySetJson);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => key.Dispose();

    /// <summary>
    /// Writes the key aside (0600 from creation) and moves it into place, so no reader ever finds a half-written or
    /// empty key file, even after a crash; when another process placed its key first, that one is loaded instead.
    /// </summary>
    private static void Store(string path, ECDsa key)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = OwnerOnlyFiles.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            if (!TryLoad(path, key))
            {
                throw;
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static bool TryLoad(string path, ECDsa key)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        key.ImportFromPem(File.ReadAllText(path));
        if (key.KeySize != 256)
        {
            throw new CryptographicException($"{path} holds a {key.KeySize}-bit key; the issuer signs with P-256 (ES256).");
        }

        return true;
    }

    // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    private static string Thumbprint(string x, string y) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));

    private string BuildKeySet()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            json.WriteStartObject();
            json.WriteString("use", "sig");
            json.WriteString("kty", "EC");
            json.WriteString("kid", KeyId);
            json.WriteString("crv", "P-256");
            json.WriteString("alg", SecurityAlgorithms.EcdsaSha256);
            json.WriteString("x", X);
            json.WriteString("y", Y);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string BuildDiscovery()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("issuer", Name);
            json.WriteString("jwks_uri", IssuerNames.Under(Issuer, TokenIssuerEndpoints.KeySetPath).ToString());
            json.WriteStartArray("response_types_supported");
            json.WriteStringValue("id_token");
            json.WriteEndArray();
            json.WriteStartArray("subject_types_supported");
            json.WriteStringValue("public");
            json.WriteEndArray();
            json.WriteStartArray("id_token_signing_alg_values_supported");
            json.WriteStringValue(SecurityAlgorithms.EcdsaSha256);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
