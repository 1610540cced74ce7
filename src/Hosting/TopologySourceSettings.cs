namespace Skylark.Events.Hosting;

/// <summary>
/// Where a service's topology comes from, as <c>--topology-source</c>, <c>--topology</c>, <c>--kubeconfig</c> and
/// <c>--topology-refresh</c> say (<see cref="CommonSettings"/>). Read the same way by every service that needs a
/// topology, so the same values mean the same in each; the service turns a Kubernetes choice into a client itself.
/// </summary>
/// <param name="File">The topology file (source <c>file</c>); null when none was given or the source is the API.</param>
/// <param name="FromKubernetes">Source <c>kubernetes</c>: nodes, links and sinks come from the Kubernetes API.</param>
/// <param name="Kubeconfig">A kubeconfig file to reach the API with; null means the pod's service account.</param>
/// <param name="Refresh">How often the API is read again.</param>
/// <param name="Epoch">When the file's first snapshot began (<c>--topology-epoch</c>); null means when the service started.</param>
public sealed record TopologySourceSettings(string? File, bool FromKubernetes, string? Kubeconfig, TimeSpan Refresh, DateTimeOffset? Epoch = null)
{
    public const string FileSource = "file";
    public const string KubernetesSource = "kubernetes";

    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(30);

    /// <summary>Anything shorter would make every replica list the cluster's nodes more than once a second.</summary>
    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRefresh = TimeSpan.FromHours(1);

    /// <summary>
    /// Reads the source; problems (an unknown source, a file given with the API as source, API settings given with a
    /// file, a missing file when <paramref name="fileRequired"/>) are collected in <paramref name="settings"/>.
    /// </summary>
    /// <param name="settings">The service's settings; problems are added to them.</param>
    /// <param name="fileRequired">The service cannot run without a topology (the StateSink), so source <c>file</c> needs <c>--topology</c>.</param>
    /// <param name="kubernetesOnly">The service's own settings that mean something only with the API as source.</param>
    public static TopologySourceSettings Read(ServiceConfiguration settings, bool fileRequired, params Setting[] kubernetesOnly)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(kubernetesOnly);
        var source = settings.OneOf(CommonSettings.TopologySource, FileSource, KubernetesSource);
        var fromKubernetes = source == KubernetesSource;
        var kubeconfig = settings.Get(CommonSettings.Kubeconfig);
        var refresh = DefaultRefresh;
        var epoch = settings.Timestamp(CommonSettings.TopologyEpoch);
        string? file;
        if (fromKubernetes)
        {
            file = null;
            refresh = settings.Duration(CommonSettings.TopologyRefresh, MinRefresh, MaxRefresh) ?? DefaultRefresh;
            if (settings.Get(CommonSettings.Topology) is not null)
            {
                settings.Problem(CommonSettings.Topology, $"names a file, but {CommonSettings.TopologySource.Display} is {KubernetesSource}: the topology comes from the Kubernetes API; give one of the two");
            }

            if (epoch is not null)
            {
                settings.Problem(CommonSettings.TopologyEpoch, $"is read only with {CommonSettings.TopologySource.Flag} {FileSource}: the Kubernetes API's topology has no snapshot schedule");
            }
        }
        else if (source is null && settings.Get(CommonSettings.TopologySource) is not null)
        {
            // An unknown source is already named; which other settings it needs cannot be told.
            file = settings.Get(CommonSettings.Topology);
        }
        else
        {
            file = fileRequired ? settings.Required(CommonSettings.Topology) : settings.Get(CommonSettings.Topology);

            // Not --kubeconfig: the standard KUBECONFIG variable reaches it too (a service reads unprefixed variables
            // as well), and a shell that exports it for kubectl must not stop a service that reads a file.
            foreach (var setting in new[] { CommonSettings.TopologyRefresh }.Concat(kubernetesOnly))
            {
                if (settings.Get(setting) is not null)
                {
                    settings.Problem(setting, $"is read only with {CommonSettings.TopologySource.Flag} {KubernetesSource} (the source here is {FileSource})");
                }
            }
        }

        return new TopologySourceSettings(file, fromKubernetes, kubeconfig, refresh, epoch);
    }

    /// <summary>Records why no Kubernetes client can be made from these settings (<paramref name="reason"/>, from the client library).</summary>
    public void KubeconfigProblem(ServiceConfiguration settings, string reason)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        settings.Problem(
            CommonSettings.Kubeconfig,
            Kubeconfig is null
                ? $"is required with {CommonSettings.TopologySource.Flag} {KubernetesSource} outside a cluster: {reason}"
                : $"names '{Kubeconfig}', which cannot be used: {reason}");
    }
}
