using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skylark.Events.Identity;

/// <summary>
/// Tokens for identities other than the service's own, requested from the local issuer's <c>/token</c> with the
/// service's own token: the broker delivers as each Trigger's identity, as Knative's broker filter does. Each
/// (subject, audience) token is reused until 80 % of its lifetime has passed, so it is never sent about to expire.
/// </summary>
public sealed class IssuerSenderTokens
{
    private readonly HttpClient client;
    private readonly Uri issuer;
    private readonly ISenderTokens ownTokens;
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;
    private readonly ConcurrentDictionary<(string Subject, string Audience), Issued> cache = new();

    /// <param name="client">Sends to the issuer; the caller owns it.</param>
    /// <param name="issuer">The issuer's URL, which is also the audience of the service's own token.</param>
    /// <param name="ownTokens">The service's own token (its token file).</param>
    /// <param name="time">The clock deciding when a cached token is renewed.</param>
    /// <param name="lifetime">The lifetime asked for; one hour unless given.</param>
    public IssuerSenderTokens(HttpClient client, Uri issuer, ISenderTokens ownTokens, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(ownTokens);
        this.client = client;
        this.issuer = issuer;
        this.ownTokens = ownTokens;
        this.time = time ?? TimeProvider.System;
        this.lifetime = lifetime ?? TimeSpan.FromHours(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(this.lifetime, TimeSpan.FromSeconds(TokenRequest.MinimumExpirationSeconds), nameof(lifetime));
    }

    /// <summary>A token for <paramref name="subject"/> to send to <paramref name="audience"/>; throws <see cref="HttpRequestException"/> when the issuer refuses.</summary>
    public async ValueTask<string> GetTokenAsync(string subject, string audience, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        if (cache.TryGetValue((subject, audience), out var known) && time.GetUtcNow() < known.RenewAt)
        {
            return known.Token;
        }

        var issued = await RequestAsync(subject, audience, cancellationToken);
        cache[(subject, audience)] = issued;
        return issued.Token;
    }

    /// <summary>The tokens of one subject, for a <see cref="BearerTokenHandler"/> sending as that identity.</summary>
    public ISenderTokens For(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return new SubjectTokens(this, subject);
    }

    private async Task<Issued> RequestAsync(string subject, string audience, CancellationToken cancellationToken)
    {
        var own = await ownTokens.GetTokenAsync(IssuerNames.Of(issuer), cancellationToken)
            ?? throw new HttpRequestException($"No token of its own to ask {issuer} for a token for {subject}.");
        var requestedAt = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, IssuerNames.Under(issuer, TokenIssuerEndpoints.TokenPath))
        {
            Content = JsonContent.Create(new TokenRequest(subject, audience, (long)lifetime.TotalSeconds), TokenJson.Default.TokenRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", own);
        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{issuer} refused a token for {subject} to {audience}: {problem}", null, response.StatusCode);
        }

        TokenResponse? answer;
        try
        {
            answer = await response.Content.ReadFromJsonAsync(TokenJson.Default.TokenResponse, cancellationToken);
        }
        catch (JsonException error)
        {
            throw new HttpRequestException($"{issuer} answered a token request with something other than a token.", error);
        }

        if (answer is not { Token.Length: > 0 })
        {
            throw new HttpRequestException($"{issuer} answered a token request without a token.");
        }

        var valid = answer.ExpirationTimestamp - requestedAt;
        return new Issued(answer.Token, requestedAt + valid * 0.8);
    }

    private sealed record Issued(string Token, DateTimeOffset RenewAt);

    private sealed class SubjectTokens(IssuerSenderTokens issuer, string subject) : ISenderTokens
    {
        public async ValueTask<string?> GetTokenAsync(string audience, CancellationToken cancellationToken) =>
            await issuer.GetTokenAsync(subject, audience, cancellationToken);
    }
}
