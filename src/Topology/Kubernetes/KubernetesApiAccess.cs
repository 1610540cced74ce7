namespace Skylark.Events.Topology;

/// <summary>
/// One kind of Kubernetes API request the services make: a verb on a resource of an API group, cluster-wide or in the
/// StateSink namespace. The deployment's RBAC is rendered from <see cref="KubernetesApiAccess"/>, and a test checks
/// the list against the calls in <see cref="KubernetesTopologySource"/>, so a new call cannot ship without its grant.
/// </summary>
/// <param name="ApiGroup">The API group; empty for the core group (<c>/api/v1</c>).</param>
/// <param name="Resource">The plural resource name, as RBAC rules name it.</param>
/// <param name="Verb">The RBAC verb.</param>
/// <param name="Namespaced">Made in <see cref="KubernetesTopologyOptions.SinkNamespace"/> (a Role there) rather than cluster-wide (a ClusterRole).</param>
public sealed record KubernetesApiRequest(string ApiGroup, string Resource, string Verb, bool Namespaced);

/// <summary>Which Kubernetes API requests each reader of the topology makes, and nothing more.</summary>
public static class KubernetesApiAccess
{
    /// <summary><c>GET /api/v1/nodes?labelSelector=node-type</c>: the topology's nodes, labels and annotations.</summary>
    public static readonly KubernetesApiRequest ListNodes = new("", "nodes", "list", Namespaced: false);

    /// <summary><c>GET /api/v1/namespaces/&lt;ns&gt;/pods?labelSelector=app=statesink</c>: every node's StateSink endpoint.</summary>
    public static readonly KubernetesApiRequest ListSinkPods = new("", "pods", "list", Namespaced: true);

    /// <summary>
    /// The requests of a <see cref="KubernetesTopologySource"/> with these options: nodes always, the StateSink pods
    /// only when <see cref="KubernetesTopologyOptions.ListSinkEndpoints"/> is on (the Predictor turns it off).
    /// </summary>
    public static IReadOnlyList<KubernetesApiRequest> Of(KubernetesTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ListSinkEndpoints ? [ListNodes, ListSinkPods] : [ListNodes];
    }
}
