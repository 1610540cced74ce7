using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;

namespace Skylark.Events.Identity;

public static class SenderVerification
{
    /// <summary>The JwtBearer scheme holding the configuration; not a default scheme, so no endpoint is guarded by it unasked.</summary>
    public const string AuthenticationScheme = "SkylarkSender";

    /// <summary>
    /// Registers the <see cref="SenderAuthenticator"/> and a JwtBearer scheme (<see cref="AuthenticationScheme"/>) sharing
    /// its keys. The scheme validates audiences only against its own <c>ValidAudiences</c>, empty here: a receiver either
    /// calls the authenticator with its audience or sets them.
    /// </summary>
    public static IServiceCollection AddSenderVerification(this IServiceCollection services, Action<SenderVerificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SenderVerificationOptions>().Configure(configure).ValidateOnStart(o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SenderKeys>();
        services.TryAddSingleton<SenderAuthenticator>();
        services.AddAuthentication().AddJwtBearer(AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(AuthenticationScheme).Configure<IOptions<SenderVerificationOptions>, SenderKeys, TimeProvider>(
            (bearer, verification, keys, time) =>
            {
                var options = verification.Value;
                bearer.MapInboundClaims = false;
                bearer.ConfigurationManager = keys;
                bearer.RefreshOnIssuerKeyNotFound = true;
                bearer.RequireHttpsMetadata = options.Issuer is not { Scheme: "http", IsLoopback: true };
                bearer.TokenValidationParameters = TokenChecks.Parameters(
                    options.Issuer is { } issuer ? IssuerNames.Of(issuer) : null, time, options.ClockSkew);
            });
        return services;
    }
}
