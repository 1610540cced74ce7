using k8s.Models;
using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Deploy;

/// <summary>The pieces every rendered pod shares: probes, security, resources, volumes and the service contract's environment.</summary>
internal static class Workloads
{
    /// <summary>The <c>app</c> user of Microsoft's .NET runtime images, which the Dockerfile's targets run as.</summary>
    public const long DotnetUser = 1654;

    public const int HttpPort = 8080;

    public const string TmpVolume = "tmp";

    /// <summary>
    /// Mode 0444 for mounted secrets: Kubernetes makes them root's, and the service's own non-root user must read them.
    /// Nothing else runs in the pod; written in binary because C# has no octal literals.
    /// </summary>
    private const int ReadableByAll = 0b100_100_100;

    public static V1EnvVar Env(Setting setting, string value) => new() { Name = setting.Environment, Value = value };

    public static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    /// <summary>
    /// Non-root, no privilege escalation, no capabilities, a read-only root: a .NET service writes only to /tmp (an
    /// emptyDir) and to the volumes it is given. Container-level, because Knative Serving accepts these fields there
    /// without its pod security-context feature flag.
    /// </summary>
    public static V1SecurityContext Restricted(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1ResourceRequirements Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) },
    };

    /// <summary>
    /// Liveness on <c>/healthz</c> (the process only: a pod is not restarted because its Redis is down) and readiness
    /// on <c>/readyz</c> (its dependencies). Knative Serving fills in the port itself and refuses another one.
    /// </summary>
    public static void Probe(V1Container container, bool withPort)
    {
        container.LivenessProbe = new V1Probe { HttpGet = HttpGet("/healthz", withPort), PeriodSeconds = 10, FailureThreshold = 3 };
        container.ReadinessProbe = new V1Probe { HttpGet = HttpGet("/readyz", withPort), PeriodSeconds = 5, FailureThreshold = 2 };
    }

    private static V1HTTPGetAction HttpGet(string path, bool withPort)
    {
        var action = new V1HTTPGetAction { Path = path };
        if (withPort)
        {
            action.Port = (IntOrString)"http";
        }

        return action;
    }

    /// <summary>Prometheus' conventional annotations: scrape <c>/metrics</c> on the service's port.</summary>
    public static Dictionary<string, string> ScrapeAnnotations() => new(StringComparer.Ordinal)
    {
        ["prometheus.io/scrape"] = "true",
        ["prometheus.io/path"] = "/metrics",
        ["prometheus.io/port"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static V1Volume EmptyDir(string name, bool memory = false) =>
        new() { Name = name, EmptyDir = new V1EmptyDirVolumeSource { Medium = memory ? "Memory" : null } };

    public static V1Volume ConfigMap(string name, string configMap) =>
        new() { Name = name, ConfigMap = new V1ConfigMapVolumeSource { Name = configMap } };

    /// <summary>One key of a Secret as the file <c>password</c> (or <paramref name="path"/>), readable by the pod's non-root user.</summary>
    public static V1Volume SecretKey(string name, string secret, string key, string path = "password") => new()
    {
        Name = name,
        Secret = new V1SecretVolumeSource { SecretName = secret, Items = [new V1KeyToPath { Key = key, Path = path }], DefaultMode = ReadableByAll },
    };

    public static V1Volume Secret(string name, string secret) =>
        new() { Name = name, Secret = new V1SecretVolumeSource { SecretName = secret, DefaultMode = ReadableByAll } };

    /// <summary>
    /// The pod's identity token for <paramref name="audience"/> as the file <c>token</c>: a projected service-account
    /// token the kubelet renews before it expires, which the service re-reads (<c>--token-file</c>).
    /// </summary>
    public static V1Volume IdentityToken(string name, string audience) => new()
    {
        Name = name,
        Projected = new V1ProjectedVolumeSource
        {
            Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Audience = audience, ExpirationSeconds = 3600, Path = "token" } }],
        },
    };

    public static V1VolumeMount Mount(string volume, string path, bool readOnly = true) => new() { Name = volume, MountPath = path, ReadOnlyProperty = readOnly };

    /// <summary>The node label holding the node's name, which topology node names are.</summary>
    public const string HostnameLabel = "kubernetes.io/hostname";

    /// <summary>Pins a pod to the Kubernetes node named like the topology node.</summary>
    public static Dictionary<string, string> OnNode(string node) => new(StringComparer.Ordinal) { [HostnameLabel] = node };

    public static V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null, bool namespaced = true) => new()
    {
        Name = name,
        NamespaceProperty = namespaced ? ManifestRenderer.Namespace : null,
        Labels = labels is null ? Labels() : new Dictionary<string, string>(labels, StringComparer.Ordinal),
    };

    /// <summary>The labels every rendered resource carries, plus <paramref name="more"/>.</summary>
    public static Dictionary<string, string> Labels(params (string Key, string Value)[] more)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.kubernetes.io/part-of"] = "skylark" };
        foreach (var (key, value) in more)
        {
            labels[key] = value;
        }

        return labels;
    }
}
