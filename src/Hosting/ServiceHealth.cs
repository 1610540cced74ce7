using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Skylark.Events.Hosting;

/// <summary>
/// <c>GET /healthz</c>: the process is alive (no check runs, as a liveness probe wants). <c>GET /readyz</c>: every
/// readiness check passes (the node's Redis answers PING, the model is loaded, the broker is reachable), 503 with the
/// reasons otherwise. Services register their checks with <see cref="AddReadinessCheck{T}"/>; several services in one
/// app (a node in <c>skylark up</c>) share one pair of endpoints and each check runs once.
/// </summary>
public static class ServiceHealth
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string ReadinessTag = "ready";

    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, object> Mapped = [];

    public static IServiceCollection AddServiceHealth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHealthChecks();
        return services;
    }

    /// <summary>Adds a readiness check named <paramref name="name"/> once, however many services ask for it.</summary>
    public static IServiceCollection AddReadinessCheck<T>(this IServiceCollection services, string name)
        where T : class, IHealthCheck
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddServiceHealth();
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            if (options.Registrations.All(r => r.Name != name))
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    name, sp => ActivatorUtilities.GetServiceOrCreateInstance<T>(sp), HealthStatus.Unhealthy, [ReadinessTag], CheckTimeout));
            }
        });
        return services;
    }

    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c> unless this app has them already.</summary>
    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!Mapped.TryAdd(endpoints, Mapped))
        {
            return endpoints;
        }

        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadinessTag), ResponseWriter = WriteAsync });
        return endpoints;
    }

    /// <summary>Plain text a person reads in a probe's log: <c>ok</c>, or one line per failing check.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (report.Status == HealthStatus.Healthy)
        {
            return context.Response.WriteAsync("ok", context.RequestAborted);
        }

        var text = new StringBuilder("not ready");
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(name).Append(": ").Append(entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
        }

        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }
}
