using Skylark.Events.Contracts;

namespace Skylark.Events.Topology;

/// <summary>
/// Where <see cref="KubernetesTopologySource"/> finds the topology in a cluster. The defaults match
/// docs/topology.md ("On Kubernetes"); every name is configurable because clusters already have conventions.
/// </summary>
public sealed record KubernetesTopologyOptions
{
    /// <summary>Name given to the resulting <see cref="NetworkTopology"/>.</summary>
    public string TopologyName { get; init; } = "kubernetes";

    /// <summary>Node label whose value (cloud | edge | sat) makes a Kubernetes node a Skylark node.</summary>
    public string NodeTypeLabel { get; init; } = "node-type";

    /// <summary>Node annotation listing the hosted functions, comma-separated.</summary>
    public string FunctionsAnnotation { get; init; } = "skylark.io/functions";

    /// <summary>Node annotation listing the node's links: <c>peer=12ms/80Mbps,other=35ms/30Mbps</c>.</summary>
    public string LinksAnnotation { get; init; } = "skylark.io/links";

    /// <summary>
    /// Whether to list the StateSink DaemonSet's pods for <see cref="KubernetesTopology.SinkEndpoints"/>. A reader that
    /// needs only nodes and links (the Predictor) turns it off, so it makes one API call and needs no access to pods.
    /// </summary>
    public bool ListSinkEndpoints { get; init; } = true;

    /// <summary>Namespace of the StateSink DaemonSet's pods.</summary>
    public string SinkNamespace { get; init; } = SkylarkDefaults.Namespace;

    /// <summary>Label selector of the StateSink DaemonSet's pods.</summary>
    public string SinkLabelSelector { get; init; } = "app=statesink";

    /// <summary>A StateSink pod's port is its container port with this name, when it declares one.</summary>
    public string SinkPortName { get; init; } = "http";

    /// <summary>The StateSink port when the pod declares no port named <see cref="SinkPortName"/>.</summary>
    public int SinkPort { get; init; } = 8080;

    /// <summary>Items per list request; larger lists are paged with the API's continue token so memory stays bounded per request.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Bounds one whole <see cref="KubernetesTopologySource.LoadAsync"/> (every page of both lists).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        var errors = new List<string>();
        Require(TopologyName, nameof(TopologyName));
        Require(NodeTypeLabel, nameof(NodeTypeLabel));
        Require(FunctionsAnnotation, nameof(FunctionsAnnotation));
        Require(LinksAnnotation, nameof(LinksAnnotation));
        Require(SinkNamespace, nameof(SinkNamespace));
        Require(SinkLabelSelector, nameof(SinkLabelSelector));
        Require(SinkPortName, nameof(SinkPortName));
        if (!string.IsNullOrWhiteSpace(SinkNamespace) && !KubernetesNames.IsNamespace(SinkNamespace))
        {
            errors.Add($"{nameof(SinkNamespace)} must be a namespace name (lower-case letters, digits and '-', at most 63 characters), got '{SinkNamespace}'.");
        }

        if (!string.IsNullOrWhiteSpace(SinkLabelSelector) && KubernetesNames.LabelSelectorProblem(SinkLabelSelector) is { } selector)
        {
            errors.Add($"{nameof(SinkLabelSelector)} '{SinkLabelSelector}' {selector}.");
        }

        if (SinkPort is < 1 or > 65535)
        {
            errors.Add($"{nameof(SinkPort)} must be 1–65535, got {SinkPort}.");
        }

        if (PageSize < 1)
        {
            errors.Add($"{nameof(PageSize)} must be ≥ 1, got {PageSize}.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Timeout)} must be > 0, got {Timeout}.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid Kubernetes topology options: {string.Join(" ", errors)}");
        }

        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{name} must not be empty.");
            }
        }
    }
}
