using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Skylark.Events.Hosting;

/// <summary>
/// Spans of every <c>Skylark.Events.*</c> <see cref="System.Diagnostics.ActivitySource"/>, exported over OTLP when an
/// endpoint is configured: OpenTelemetry's own <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>
/// and the other <c>OTEL_EXPORTER_OTLP_*</c> variables) or <see cref="CommonSettings.OtlpEndpoint"/>. Without one
/// nothing listens, so the services' sources start no spans at all.
/// </summary>
public static class ServiceTracing
{
    /// <summary>OpenTelemetry's standard variable, read from the environment (and the configuration).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Every Skylark source (<c>Skylark.Events.&lt;Service&gt;</c>).</summary>
    public const string Sources = "Skylark.Events.*";

    /// <summary>Adds the OTLP exporter for the service <paramref name="serviceName"/> when an endpoint is configured.</summary>
    /// <returns>True when spans are exported.</returns>
    public static bool AddServiceTracing(this IServiceCollection services, string serviceName, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var endpoint = settings.Url(CommonSettings.OtlpEndpoint);
        settings.ThrowIfInvalid();
        if (endpoint is not null)
        {
            // As if OTEL_EXPORTER_OTLP_ENDPOINT were set, so the protocol and the /v1/traces path follow OpenTelemetry's rules.
            configuration[OtlpEndpointVariable] = endpoint.ToString();
        }
        else if (string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable] ?? Environment.GetEnvironmentVariable(OtlpEndpointVariable)))
        {
            return false;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing.AddSource(Sources).AddOtlpExporter());
        return true;
    }
}
