using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Skylark.Events.Topology;

public static class KubernetesTopologyServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="KubernetesTopologySource"/> for <paramref name="configuration"/>, or for the
    /// in-cluster / kubeconfig default when null. The configuration is read when the source is first resolved, so a
    /// host that never asks for the topology never needs a cluster.
    /// </summary>
    public static IServiceCollection AddKubernetesTopology(
        this IServiceCollection services,
        KubernetesClientConfiguration? configuration = null,
        KubernetesTopologyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider =>
        {
            var logger = provider.GetService<ILogger<KubernetesTopologySource>>();
            var time = provider.GetService<TimeProvider>();
            return configuration is null
                ? KubernetesTopologySource.CreateDefault(options, logger, time)
                : KubernetesTopologySource.Create(configuration, options, logger, time);
        });
        return services;
    }
}
