using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;

namespace Skylark.Events.Identity;

public static class SenderVerification
{
    /// <summary>The name of the <see cref="JwtBearerOptions"/> holding the configuration, and of the scheme an app may add.</summary>
    public const string AuthenticationScheme = "SkylarkSender";

    /// <summary>
    /// Registers the <see cref="SenderAuthenticator"/> and the <see cref="JwtBearerOptions"/> named
    /// <see cref="AuthenticationScheme"/> it reads its keys and rules from. The scheme itself is not added: a
    /// WebApplication adds the authentication middleware as soon as a scheme exists, and makes a lone scheme the default,
    /// so every request's token would be checked (and an issuer outage would fail <c>/healthz</c>). An app that wants the
    /// scheme adds it with <c>AddAuthentication().AddJwtBearer(SenderVerification.AuthenticationScheme, o =&gt; ...)</c>,
    /// setting its <c>ValidAudiences</c>; it then shares these keys.
    /// </summary>
    public static IServiceCollection AddSenderVerification(this IServiceCollection services, Action<SenderVerificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SenderVerificationOptions>().Configure(configure).ValidateOnStart(o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SenderKeys>();
        services.TryAddSingleton<SenderAuthenticator>();
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
