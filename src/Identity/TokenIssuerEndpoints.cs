using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skylark.Events.Identity;

public static partial class TokenIssuerEndpoints
{
    public const string DiscoveryPath = ".well-known/openid-configuration";

    /// <summary>Where the Kubernetes API server serves its key set.</summary>
    public const string KeySetPath = "openid/v1/jwks";

    public const string TokenPath = "token";

    /// <summary>
    /// Maps the issuer's discovery document, key set and <c>POST /token</c>. <c>/token</c> takes a TokenRequest-like
    /// JSON body (<c>subject</c>, <c>audience</c>, <c>expirationSeconds</c>) and the caller's own token from this
    /// issuer, with the issuer's name as audience; <paramref name="policy"/> decides whom the caller may get tokens for.
    /// </summary>
    public static IEndpointRouteBuilder MapTokenIssuer(this IEndpointRouteBuilder endpoints, LocalTokenIssuer issuer, TokenRequestPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(policy);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalTokenIssuer));
        var callerParameters = TokenChecks.Parameters(issuer.Name, issuer.Time, TimeSpan.FromSeconds(30));
        Microsoft.IdentityModel.Tokens.SecurityKey[] keys = [issuer.SigningKey];

        endpoints.MapGet("/" + DiscoveryPath, () => Results.Text(issuer.DiscoveryJson, "application/json"));
        endpoints.MapGet("/" + KeySetPath, () => Results.Text(issuer.KeySetJson, "application/jwk-set+json"));
        endpoints.MapPost("/" + TokenPath, async (HttpContext context) =>
        {
            if (TokenChecks.BearerToken(context.Request.Headers.Authorization) is not { } token)
            {
                return Unauthorized(SenderAuthentication.Missing(issuer.Name));
            }

            var (caller, _, _) = await TokenChecks.ValidateAsync(token, issuer.Name, callerParameters, keys);
            if (!caller.IsAuthenticated)
            {
                LogRefused(logger, "a caller", "?", caller.Reason!);
                return Unauthorized(caller);
            }

            TokenRequest? request;
            try
            {
                request = await context.Request.ReadFromJsonAsync(TokenJson.Default.TokenRequest, context.RequestAborted);
            }
            catch (Exception error) when (error is JsonException or InvalidOperationException)
            {
                // InvalidOperationException: the body is not declared as JSON.
                return Results.Text($"400: the body is not a token request: {error.Message}", statusCode: StatusCodes.Status400BadRequest);
            }

            if (request is not { Subject.Length: > 0, Audience.Length: > 0 })
            {
                return Results.Text("400: a token request needs a subject and an audience", statusCode: StatusCodes.Status400BadRequest);
            }

            var seconds = request.ExpirationSeconds ?? TokenRequest.DefaultExpirationSeconds;
            if (seconds is < TokenRequest.MinimumExpirationSeconds or > TokenRequest.MaximumExpirationSeconds)
            {
                return Results.Text(
                    $"400: expirationSeconds must be from {TokenRequest.MinimumExpirationSeconds} to {TokenRequest.MaximumExpirationSeconds}",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            if (!policy.Allows(caller.Subject!, request.Subject))
            {
                LogRefused(logger, caller.Subject!, request.Subject, "not allowed by the policy");
                return Results.Text($"403: {caller.Subject} may not obtain tokens for {request.Subject}", statusCode: StatusCodes.Status403Forbidden);
            }

            var lifetime = TimeSpan.FromSeconds(seconds);
            var issued = issuer.Issue(request.Subject, [request.Audience], lifetime);
            LogIssued(logger, caller.Subject!, request.Subject, request.Audience, seconds);
            return Results.Json(new TokenResponse(issued, issuer.Time.GetUtcNow() + lifetime), TokenJson.Default.TokenResponse);
        });
        return endpoints;
    }

    private static IResult Unauthorized(SenderAuthentication result) => new ProblemResult(result);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued {Caller} a token for {Subject} to {Audience}, valid {Seconds} s")]
    private static partial void LogIssued(ILogger logger, string caller, string subject, string audience, long seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Caller} a token for {Subject}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string caller, string subject, string reason);

    private sealed class ProblemResult(SenderAuthentication result) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => result.WriteProblemAsync(httpContext.Response, httpContext.RequestAborted);
    }
}
