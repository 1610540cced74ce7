using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Skylark.Events.Hosting;

/// <summary>
/// Metrics through <c>System.Diagnostics.Metrics</c>, collected by OpenTelemetry and served at <c>GET /metrics</c> in the
/// Prometheus text format. Each service adds its meter with <see cref="AddServiceMetrics"/>; ASP.NET Core's own
/// (<c>http.server.request.duration</c>) come along.
/// </summary>
public static class ServiceMetrics
{
    public const string Path = "/metrics";

    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, object> Mapped = [];

    /// <summary>Collects the meter <paramref name="meterName"/>; the first call also sets up the exporter.</summary>
    public static IServiceCollection AddServiceMetrics(this IServiceCollection services, string meterName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(meterName);
        if (!services.Any(d => d.ServiceType == typeof(Marker)))
        {
            services.AddSingleton<Marker>();
            services.AddMetrics();
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(meterName))
                .WithMetrics(metrics => metrics
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                    .AddPrometheusExporter());
        }

        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(meterName));
        return services;
    }

    /// <summary>Maps <c>/metrics</c> unless this app has it already.</summary>
    public static IEndpointRouteBuilder MapServiceMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (Mapped.TryAdd(endpoints, Mapped))
        {
            endpoints.MapPrometheusScrapingEndpoint(Path);
        }

        return endpoints;
    }

    /// <summary><c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, each once per app.</summary>
    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapServiceHealth().MapServiceMetrics();

    private sealed class Marker;
}
