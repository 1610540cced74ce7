using System.Diagnostics.Metrics;
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
                .WithMetrics(metrics =>
                {
                    metrics.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel").AddPrometheusExporter();
                    ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) => builder.AddView(OwnMetersOnly(provider.GetRequiredService<IMeterFactory>())));
                });
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

    /// <summary>
    /// OpenTelemetry picks meters by name across the whole process, so where several apps share one (the nodes of the
    /// in-process <c>skylark up</c>, tests) each app's <c>/metrics</c> would add up every app's recordings. Instruments
    /// from another app's meter factory are dropped; meters created without a factory stay process-wide.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OwnMetersOnly(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null;

    private sealed class Marker;
}
