using System.Net.Http.Headers;

namespace Skylark.Events.Identity;

/// <summary>
/// Sends each request with <c>Authorization: Bearer</c> from an <see cref="ISenderTokens"/>, for the audience set on
/// the request with <see cref="AudienceKey"/> or else the handler's fixed one: one client can reach several receivers.
/// </summary>
public sealed class BearerTokenHandler : DelegatingHandler
{
    /// <summary>The receiver's audience for one request: <c>request.Options.Set(BearerTokenHandler.AudienceKey, audience)</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> AudienceKey = new("Skylark.Events.Identity.Audience");

    private readonly ISenderTokens tokens;
    private readonly string? audience;
    private readonly Func<Uri?, string?>? audienceOf;

    public BearerTokenHandler(ISenderTokens tokens, string? audience = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.tokens = tokens;
        this.audience = audience;
    }

    /// <summary>
    /// A handler that finds each request's audience from its URL (a broker's ingress path names the Broker); where
    /// <paramref name="audienceOf"/> answers null the request goes without a token (it is not for a verifying receiver).
    /// </summary>
    public BearerTokenHandler(ISenderTokens tokens, Func<Uri?, string?> audienceOf)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(audienceOf);
        this.tokens = tokens;
        this.audienceOf = audienceOf;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Options.TryGetValue(AudienceKey, out var chosen) ? chosen : audience ?? audienceOf?.Invoke(request.RequestUri);
        if (target is null && audienceOf is not null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        if (target is null)
        {
            throw new InvalidOperationException($"No audience for {request.RequestUri}: set {nameof(AudienceKey)} on the request or give the handler one.");
        }

        if (await tokens.GetTokenAsync(target, cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Tokens may need a request to the issuer; send asynchronously.");
}
