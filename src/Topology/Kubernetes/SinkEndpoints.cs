using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Skylark.Events.Topology;

/// <summary>
/// Maps the StateSink DaemonSet's pods to the node each one serves. Only pods that would receive Service traffic
/// count (Running, Ready, not terminating): a pulled bundle must come from a sink that can answer.
/// </summary>
internal static class SinkEndpoints
{
    public static Dictionary<string, Uri> Map(
        IEnumerable<V1Pod> pods, NetworkTopology topology, KubernetesTopologyOptions options, List<string> warnings, Action<string, string> skipped)
    {
        var chosen = new Dictionary<string, (V1Pod Pod, Uri Endpoint, List<string> Others)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var name = $"{pod.Metadata?.NamespaceProperty ?? options.SinkNamespace}/{pod.Metadata?.Name ?? "?"}";
            if (pod.Metadata?.DeletionTimestamp is not null)
            {
                skipped(name, "terminating");
                continue;
            }

            if (!string.Equals(pod.Status?.Phase, "Running", StringComparison.Ordinal))
            {
                skipped(name, $"phase {pod.Status?.Phase ?? "unknown"}");
                continue;
            }

            if (pod.Status!.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true)
            {
                skipped(name, "not Ready");
                continue;
            }

            if (pod.Spec?.NodeName is not { Length: > 0 } node)
            {
                skipped(name, "not scheduled on a node");
                continue;
            }

            if (!topology.Contains(node))
            {
                // A DaemonSet usually runs on every node, including ones outside the deployment; nothing is lost.
                skipped(name, $"node '{node}' is not in the topology");
                continue;
            }

            if (!IPAddress.TryParse(pod.Status.PodIP, out var ip))
            {
                warnings.Add($"StateSink pod {name} on node '{node}' is Ready but has no usable pod IP ('{pod.Status.PodIP}'); the node has no StateSink endpoint from it.");
                continue;
            }

            var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture,
                $"http://{(ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString())}:{PortOf(pod, options)}/"));
            if (chosen.TryGetValue(node, out var current))
            {
                // Two ready sinks on one node happen briefly during a surge rollout; the newer one is the one that stays.
                var newer = Created(pod) > Created(current.Pod);
                current.Others.Add(newer ? current.Pod.Metadata!.Name : pod.Metadata!.Name);
                chosen[node] = newer ? (pod, endpoint, current.Others) : current;
                continue;
            }

            chosen[node] = (pod, endpoint, []);
        }

        foreach (var (node, (pod, _, others)) in chosen.Where(c => c.Value.Others.Count > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            warnings.Add($"node '{node}' has {others.Count + 1} ready StateSink pods; using the newest, {pod.Metadata.Name} (not {string.Join(", ", others)}).");
        }

        return chosen.ToDictionary(c => c.Key, c => c.Value.Endpoint, StringComparer.Ordinal);
    }

    private static int PortOf(V1Pod pod, KubernetesTopologyOptions options) =>
        pod.Spec?.Containers?
            .SelectMany(c => c.Ports ?? [])
            .FirstOrDefault(p => string.Equals(p.Name, options.SinkPortName, StringComparison.Ordinal))?.ContainerPort
        ?? options.SinkPort;

    private static DateTime Created(V1Pod pod) => pod.Metadata?.CreationTimestamp ?? DateTime.MinValue;
}
