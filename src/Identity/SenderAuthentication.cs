using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Skylark.Events.Identity;

public enum SenderAuthenticationKind
{
    /// <summary>No <c>Authorization: Bearer</c> header.</summary>
    Missing,

    /// <summary>A bearer token that does not verify; <see cref="SenderAuthentication.Reason"/> says why.</summary>
    Invalid,

    /// <summary>A valid token for the audience; <see cref="SenderAuthentication.Subject"/> is its <c>sub</c>.</summary>
    Authenticated,
}

/// <summary>What a receiver learned from a request's bearer token, and the 401 answer when it is not a valid one.</summary>
public sealed record SenderAuthentication
{
    private SenderAuthentication(SenderAuthenticationKind kind, string audience, string? subject, string? reason)
    {
        Kind = kind;
        Audience = audience;
        Subject = subject;
        Reason = reason;
    }

    public SenderAuthenticationKind Kind { get; }

    /// <summary>The receiver's audience the token was checked against.</summary>
    public string Audience { get; }

    /// <summary>The sender's <c>sub</c> (e.g. <c>system:serviceaccount:skylark:broker</c>) when authenticated.</summary>
    public string? Subject { get; }

    /// <summary>Why the token is invalid, short and without the token itself.</summary>
    public string? Reason { get; }

    public bool IsAuthenticated => Kind == SenderAuthenticationKind.Authenticated;

    /// <summary>The plain-text body of the 401 answer; null when authenticated.</summary>
    public string? Problem => Kind switch
    {
        SenderAuthenticationKind.Missing => $"401: a bearer token for audience {Audience} is required",
        SenderAuthenticationKind.Invalid => $"401: the bearer token is invalid: {Reason}",
        _ => null,
    };

    /// <summary>
    /// The <c>WWW-Authenticate</c> value of the 401 answer (RFC 6750 §3): no error code when no token came, as the RFC
    /// asks, <c>invalid_token</c> with the reason otherwise. Null when authenticated.
    /// </summary>
    public string? Challenge => Kind switch
    {
        SenderAuthenticationKind.Missing => "Bearer",
        SenderAuthenticationKind.Invalid => $"Bearer error=\"invalid_token\", error_description=\"{QuotedText(Reason!)}\"",
        _ => null,
    };

    public static SenderAuthentication Missing(string audience) => new(SenderAuthenticationKind.Missing, audience, null, null);

    public static SenderAuthentication Invalid(string audience, string reason) => new(SenderAuthenticationKind.Invalid, audience, null, reason);

    public static SenderAuthentication Authenticated(string audience, string subject) => new(SenderAuthenticationKind.Authenticated, audience, subject, null);

    /// <summary>Answers 401 with <see cref="Challenge"/> and <see cref="Problem"/>; for an authenticated sender there is nothing to answer.</summary>
    public Task WriteProblemAsync(HttpResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (IsAuthenticated)
        {
            throw new InvalidOperationException($"Sender {Subject} is authenticated; there is no problem to answer.");
        }

        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers[HeaderNames.WWWAuthenticate] = Challenge;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(Problem!, cancellationToken);
    }

    // RFC 6750 allows only %x20-21 / %x23-5B / %x5D-7E in error_description.
    private static string QuotedText(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_');
        }

        return builder.ToString();
    }
}
