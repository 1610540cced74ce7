using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Skylark.Events.Hosting;

/// <summary>
/// The start every deployable shares: configuration from <c>SKYLARK_*</c> environment variables and the command line
/// (the command line wins), Knative's <c>PORT</c>, a shutdown grace period, <c>/healthz</c>, <c>/readyz</c> and a
/// Prometheus <c>/metrics</c>, and a text answer and one log line for a request body Kestrel refuses
/// (<see cref="BadRequestAnswers"/>); a configuration problem ends the process with one line per problem and exit code 2.
/// </summary>
public static class SkylarkService
{
    /// <summary>The exit code of a start refused for its configuration.</summary>
    public const int ConfigurationExitCode = 2;

    /// <summary>The exit code when the service refused to start on what it found (<see cref="ServiceCannotStartException"/>).</summary>
    public const int CannotStartExitCode = 1;

    /// <summary>
    /// Builds, maps and runs the service <paramref name="name"/>: <paramref name="configure"/> registers it (reading
    /// <see cref="WebApplicationBuilder.Configuration"/> through <see cref="ServiceConfiguration"/>), <paramref name="map"/>
    /// maps its endpoints. Returns the process exit code.
    /// </summary>
    public static async Task<int> RunAsync(string name, string[] args, Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(map);
        WebApplication app;
        try
        {
            var builder = CreateBuilder(name, args);
            configure(builder);
            app = builder.Build();
            map(app);
            app.MapServiceEndpoints();
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (ConfigurationLines(error) is { } lines)
        {
            foreach (var line in lines)
            {
                await Console.Error.WriteLineAsync($"{name}: {line}").ConfigureAwait(false);
            }

            return ConfigurationExitCode;
        }
        catch (Exception error) when (CannotStart(error) is { } refusal)
        {
            await Console.Error.WriteLineAsync($"{name}: {refusal.Message}").ConfigureAwait(false);
            return CannotStartExitCode;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>A web application builder with the service contract's configuration, health and metrics registered.</summary>
    /// <exception cref="ServiceConfigurationException">The common settings are malformed.</exception>
    public static WebApplicationBuilder CreateBuilder(string name, string[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddEnvironmentVariables(Setting.EnvironmentPrefix);

        // The command line wins over the environment, as everywhere else in ASP.NET Core.
        builder.Configuration.AddCommandLine(args);
        var settings = new ServiceConfiguration(builder.Configuration);
        var port = settings.Int64(CommonSettings.Port, 1, 65_535);
        var grace = settings.Duration(CommonSettings.ShutdownGrace, TimeSpan.Zero, TimeSpan.FromHours(1)) ?? CommonSettings.DefaultShutdownGrace;
        settings.ThrowIfInvalid();
        if (port is { } listen && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{listen}");
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = grace);
        builder.Services.AddServiceHealth();
        builder.Services.AddServiceMetrics(name);
        builder.Services.AddServiceTracing(name, builder.Configuration);
        builder.Services.AddBadRequestAnswers();
        return builder;
    }

    private static ServiceCannotStartException? CannotStart(Exception error) => error switch
    {
        ServiceCannotStartException refusal => refusal,
        { InnerException: { } inner } => CannotStart(inner),
        _ => null,
    };

    /// <summary>The lines to print when <paramref name="error"/> is about configuration, else null.</summary>
    internal static IReadOnlyList<string>? ConfigurationLines(Exception error) => error switch
    {
        ServiceConfigurationException configuration => [.. configuration.Problems.Select(p => p.ToString())],
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException { InnerExceptions: [var single] } => ConfigurationLines(single),

        // Options validated on start arrive wrapped when a hosted service resolves them.
        { InnerException: { } inner } when ConfigurationLines(inner) is { } lines => lines,

        _ => null,
    };
}
