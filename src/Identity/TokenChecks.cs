using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Skylark.Events.Identity;

/// <summary>The one place a bearer token is validated, shared by receivers and the local issuer's <c>/token</c>.</summary>
internal static class TokenChecks
{
    /// <summary>What service-account issuers sign with: RSA on most clusters, ECDSA for the local issuer and some others.</summary>
    public static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>The reason of a valid token minted for another receiver: a receiver with several names tries the next.</summary>
    public const string WrongAudience = "wrong audience";

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>Parameters without keys or audience: those come per call.</summary>
    public static TokenValidationParameters Parameters(string? issuer, TimeProvider time, TimeSpan clockSkew) => new()
    {
        ValidateIssuer = issuer is not null,
        ValidIssuer = issuer,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = false,
        ValidAlgorithms = Algorithms,
        ClockSkew = clockSkew,
        NameClaimType = "sub",
        // The library reads DateTime.UtcNow; the delegate puts the lifetime check on the service's TimeProvider.
        LifetimeValidator = (notBefore, expires, _, parameters) => CheckLifetime(notBefore, expires, parameters.ClockSkew, time),
    };

    /// <summary>Validates <paramref name="token"/> for <paramref name="audience"/> against <paramref name="keys"/>.</summary>
    public static async Task<(SenderAuthentication Result, bool UnknownKey, DateTimeOffset Expires)> ValidateAsync(
        string token, string audience, TokenValidationParameters template, IEnumerable<SecurityKey> keys)
    {
        var parameters = template.Clone();
        parameters.ValidAudience = audience;
        parameters.ValidAudiences = null;
        parameters.IssuerSigningKeys = keys;
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            var unknownKey = result.Exception is SecurityTokenInvalidSignatureException && !KnowsKey(token, keys);
            return (SenderAuthentication.Invalid(audience, unknownKey ? "signed by an unknown key" : Reason(result.Exception)), unknownKey, default);
        }

        return result.Claims.TryGetValue("sub", out var subject) && subject is string { Length: > 0 } name
            ? (SenderAuthentication.Authenticated(audience, name), false, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero))
            : (SenderAuthentication.Invalid(audience, "it has no subject"), false, default);
    }

    /// <summary>The token from an <c>Authorization: Bearer</c> value, null for any other scheme or none.</summary>
    public static string? BearerToken(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static bool CheckLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }

        if (expires.Value.ToUniversalTime() + skew < now)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        if (notBefore is { } start && start.ToUniversalTime() - skew > now)
        {
            throw new SecurityTokenNotYetValidException("The token is not yet valid.") { NotBefore = start };
        }

        return true;
    }

    private static bool KnowsKey(string token, IEnumerable<SecurityKey> keys)
    {
        try
        {
            var kid = new JsonWebToken(token).Kid;
            return string.IsNullOrEmpty(kid) || keys.Any(k => k.KeyId == kid);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    // Short reasons a sender's operator can act on; the library's messages are long and may quote the token.
    private static string Reason(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not yet valid",
        SecurityTokenNoExpirationException => "it has no expiry",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => WrongAudience,
        SecurityTokenInvalidAlgorithmException => "its signing algorithm is not accepted",
        SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenMalformedException or ArgumentException => "it is not a well-formed JWT",
        _ => "it could not be verified",
    };
}
