using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Skylark.Events.Identity;

/// <summary>
/// Checks a request's bearer token for one audience. The audience is per call because one process may be several
/// receivers (a StateSink serving several nodes, a broker hosting several brokers). Endpoints call it themselves, so
/// <c>/healthz</c> and <c>/metrics</c> stay open.
/// </summary>
public sealed partial class SenderAuthenticator
{
    private readonly IOptionsMonitor<JwtBearerOptions> bearer;
    private readonly ILogger<SenderAuthenticator> logger;
    private readonly VerifiedTokens verified;

    public SenderAuthenticator(IOptions<SenderVerificationOptions> options, IOptionsMonitor<JwtBearerOptions> bearer, ILogger<SenderAuthenticator> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.Value.Enabled;
        this.bearer = bearer;
        this.logger = logger;
        verified = new VerifiedTokens(time ?? TimeProvider.System);
    }

    /// <summary>False when no issuer or key set is configured: callers then accept senders unchecked, as before identity existed.</summary>
    public bool Enabled { get; }

    public Task<SenderAuthentication> AuthenticateAsync(HttpContext context, string audience)
    {
        ArgumentException.ThrowIfNullOrEmpty(audience);
        return AuthenticateAsync(context, [audience]);
    }

    /// <summary>
    /// Checks the token for the first of <paramref name="audiences"/> and, when it is for another audience, for the
    /// next: a receiver may answer under several names (a StateSink is its node's Service and the Service of all
    /// sinks). The result names the first audience unless a later one authenticated the sender.
    /// </summary>
    public async Task<SenderAuthentication> AuthenticateAsync(HttpContext context, IReadOnlyList<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(audiences);
        if (audiences.Count == 0 || audiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("At least one audience is needed, and none may be empty.", nameof(audiences));
        }

        if (!Enabled)
        {
            throw new InvalidOperationException("Sender verification has no issuer or key set configured; check Enabled before authenticating.");
        }

        if (TokenChecks.BearerToken(context.Request.Headers.Authorization) is not { } token)
        {
            return SenderAuthentication.Missing(audiences[0]);
        }

        // The JwtBearer scheme's options are the one configuration: keys, issuer, lifetime rules.
        var options = bearer.Get(SenderVerification.AuthenticationScheme);
        var keys = options.ConfigurationManager!;
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await keys.GetConfigurationAsync(context.RequestAborted);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogNoKeys(error);
            return SenderAuthentication.Invalid(audiences[0], "the issuer's keys are unavailable to the receiver");
        }

        foreach (var audience in audiences)
        {
            if (verified.TryGet(token, audience, configuration, out var known))
            {
                return SenderAuthentication.Authenticated(audience, known);
            }
        }

        SenderAuthentication? first = null;
        SenderAuthentication result = null!;
        foreach (var audience in audiences)
        {
            bool unknownKey;
            DateTimeOffset expires;
            (result, unknownKey, expires) = await TokenChecks.ValidateAsync(token, audience, options.TokenValidationParameters, configuration.SigningKeys);
            if (unknownKey)
            {
                // Issuers rotate keys; a token naming a key not yet fetched is the first sign of it.
                keys.RequestRefresh();
                var refreshed = await keys.GetConfigurationAsync(context.RequestAborted);
                if (!ReferenceEquals(refreshed, configuration))
                {
                    configuration = refreshed;
                    (result, _, expires) = await TokenChecks.ValidateAsync(token, audience, options.TokenValidationParameters, refreshed.SigningKeys);
                }
            }

            if (result.IsAuthenticated)
            {
                verified.Add(token, audience, configuration, result.Subject!, expires);
            }

            first ??= result;
            if (result.IsAuthenticated || result.Reason != TokenChecks.WrongAudience)
            {
                break;
            }
        }

        // A token for none of the audiences is refused as one for the receiver's first name.
        result = result.IsAuthenticated || result.Reason != TokenChecks.WrongAudience ? result : first!;
        if (result.IsAuthenticated)
        {
            LogAuthenticated(result.Subject!, result.Audience);
        }
        else
        {
            LogRejected(result.Audience, result.Reason!);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sender {Subject} authenticated for {Audience}")]
    private partial void LogAuthenticated(string subject, string audience);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected a bearer token for {Audience}: {Reason}")]
    private partial void LogRejected(string audience, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sender verification has no signing keys to check tokens with")]
    private partial void LogNoKeys(Exception error);
}
