using Microsoft.Extensions.Options;
using Skylark.Events.Topology;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// Reads the cluster's topology while the host runs, when the Predictor takes it from the Kubernetes API
/// (<see cref="PredictorOptions.Kubernetes"/>) and no shared <see cref="TopologyClock"/> overrides it; otherwise it
/// ends at once. Registered either way, because the options are only known once the host is built.
/// </summary>
internal sealed class KubernetesTopologyRefreshService(IServiceProvider services, IOptions<PredictorOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Kubernetes is null || services.GetService<TopologyClock>() is not null
            ? Task.CompletedTask
            : services.GetRequiredService<KubernetesTopologyRefresher>().RunAsync(stoppingToken);
}
