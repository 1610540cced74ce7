using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// Ready once the sink has a topology: without one every propagate command is refused, so Kubernetes should not route
/// to the pod yet. With the topology from the Kubernetes API this is the first successful load; with a file, the file
/// loads (on the first probe, if nothing needed it before).
/// </summary>
public sealed class SinkTopologyReadinessCheck(SinkTopology topology, IOptions<StateSinkOptions> options, IServiceProvider services) : IHealthCheck
{
    public const string Name = "topology";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (topology.Current is not null)
        {
            return HealthCheckResult.Healthy();
        }

        if (options.Value.Kubernetes is not null)
        {
            // Ask the refresher, not the source: it knows why nothing has loaded, and a probe must not call the API.
            var refresher = services.GetRequiredService<KubernetesTopologyRefresher>();
            var reason = refresher.NotLoadedReason ?? $"the topology from the {refresher.Description} is being applied";
            return HealthCheckResult.Unhealthy(string.Concat(reason[..1].ToUpperInvariant(), reason.AsSpan(1).TrimEnd('.'), "."));
        }

        try
        {
            await topology.GetAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (TopologyValidationException error)
        {
            return HealthCheckResult.Unhealthy(error.Message);
        }
    }
}
