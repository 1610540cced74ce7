using Microsoft.Extensions.Options;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// Reads the cluster's topology and sinks while the host runs, when the sink takes them from the Kubernetes API
/// (<see cref="StateSinkOptions.Kubernetes"/>); otherwise it ends at once. Registered by <c>AddStateSink</c> either way,
/// because the options are only known once the host is built.
/// </summary>
internal sealed class KubernetesTopologyRefreshService(IServiceProvider services, IOptions<StateSinkOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Kubernetes is null
            ? Task.CompletedTask
            : services.GetRequiredService<KubernetesTopologyRefresher>().RunAsync(stoppingToken);
}
