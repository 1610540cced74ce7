using k8s;
using k8s.Exceptions;

namespace Skylark.Events.Topology;

/// <summary>
/// How a service follows the cluster's topology: which API server with which credentials (<see cref="Client"/>), what
/// to read there (<see cref="Options"/>) and how often (<see cref="RefreshInterval"/>). A
/// <see cref="KubernetesTopologyRefresher"/> is built from it.
/// </summary>
public sealed record KubernetesTopologyFeed
{
    /// <summary>Where the service account mounts its token, CA and namespace in every pod.</summary>
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(30);

    public KubernetesTopologyFeed(KubernetesClientConfiguration client, KubernetesTopologyOptions? options = null, TimeSpan? refreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var interval = refreshInterval ?? DefaultRefreshInterval;
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(refreshInterval), interval, "The refresh interval must be positive.");
        }

        Client = client;
        Options = options ?? new KubernetesTopologyOptions();
        Options.Validate();
        RefreshInterval = interval;
    }

    public KubernetesClientConfiguration Client { get; }

    public KubernetesTopologyOptions Options { get; }

    /// <summary>How often the topology is read again once one has loaded (sooner while none has, see the refresher).</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>
    /// The client configuration of a service: the kubeconfig file at <paramref name="kubeconfigPath"/> when given
    /// (out of a cluster), else the pod's own service account (<c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c> and
    /// <see cref="ServiceAccountPath"/>). Deliberately no fallback to <c>~/.kube/config</c>: a service that silently
    /// picked up a developer's current context could read the wrong cluster.
    /// </summary>
    /// <exception cref="KubernetesTopologyException">The file cannot be used, or this process is not in a pod; the message says why.</exception>
    public static KubernetesClientConfiguration ClientConfiguration(string? kubeconfigPath)
    {
        if (kubeconfigPath is null)
        {
            if (!KubernetesClientConfiguration.IsInCluster())
            {
                throw new KubernetesTopologyException(
                    "this process is not in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT unset, or no service account "
                    + $"token and CA under {ServiceAccountPath})");
            }

            try
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
            catch (Exception error) when (error is KubeConfigException or IOException or UnauthorizedAccessException or FormatException)
            {
                throw new KubernetesTopologyException($"the pod's service account cannot be used: {Reason(error)}", error);
            }
        }

        if (!File.Exists(kubeconfigPath))
        {
            // KUBECONFIG (which reaches this setting too) may list several files, which kubectl merges; this names one.
            throw new KubernetesTopologyException(kubeconfigPath.Contains(Path.PathSeparator, StringComparison.Ordinal)
                ? "no such file; it looks like a list of files, as KUBECONFIG may hold, but this setting names one"
                : "no such file");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        }
        catch (Exception error) when (error is KubeConfigException or IOException or UnauthorizedAccessException
            or FormatException or ArgumentException or InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            throw new KubernetesTopologyException(Reason(error), error);
        }
    }

    /// <summary>The exception's message without its final period, to be placed inside a sentence.</summary>
    private static string Reason(Exception error) => error.Message.Trim().TrimEnd('.');
}
