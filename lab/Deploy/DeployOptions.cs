using Skylark.Events.Lab.Up;

namespace Skylark.Events.Lab.Deploy;

/// <summary>Where the rendered StateSinks and Predictor take nodes and links from.</summary>
public enum DeployTopologySource
{
    /// <summary>The topology file, shipped in a ConfigMap: rotating snapshots work, and no Kubernetes API access is needed.</summary>
    File,

    /// <summary>
    /// The Kubernetes API (node labels and annotations, StateSink pods; docs/topology.md): the services get the RBAC
    /// their reads need, and the nodes must be labelled and annotated.
    /// </summary>
    Kubernetes,
}

/// <summary>What <see cref="ManifestRenderer"/> renders: a topology and the pipeline's Knative resources, for one state mode.</summary>
/// <param name="TopologyPath">The topology file: its nodes are the cluster's nodes (by Kubernetes node name) and say which functions run where.</param>
public sealed record DeployOptions(string TopologyPath)
{
    /// <summary>The Knative resources of the pipeline (Broker, Triggers, PingSources, EventPolicies): a folder or files.</summary>
    public string EventingPath { get; init; } = "eventing";

    public StateMode Mode { get; init; } = StateMode.Skylark;

    /// <summary>
    /// How a function's events find an instance: <see cref="ServingPolicy.LocalityAware"/> renders one Knative Service
    /// per placement and routes by the event's state node; <see cref="ServingPolicy.RoundRobin"/> renders one Knative
    /// Service per function, with a pod on each of its nodes, and lets Knative spread the requests.
    /// </summary>
    public ServingPolicy Serving { get; init; } = ServingPolicy.LocalityAware;

    /// <summary>Prefix of every image built from this repository, e.g. <c>localhost:32000</c> (microk8s' registry add-on).</summary>
    public string Registry { get; init; } = "localhost:32000";

    public string Tag { get; init; } = "latest";

    public DeployTopologySource TopologySource { get; init; } = DeployTopologySource.File;

    /// <summary>
    /// When the topology file's first snapshot began; every service given the same epoch agrees which snapshot is
    /// current. Null leaves each service counting from its own start (harmless for a static topology).
    /// </summary>
    public DateTimeOffset? TopologyEpoch { get; init; }

    /// <summary>
    /// Functions the caller hosts itself instead of from an image (the lab's synthetic workflow stages, which
    /// <c>skylark up</c> renders in memory and never deploys): a topology may place them, and they are rendered under an
    /// image name nothing builds.
    /// </summary>
    public IReadOnlyCollection<string> HostedFunctions { get; init; } = [];

    /// <summary>The cameras that may publish frames: each gets an MQTT user and may write only its own topics.</summary>
    public IReadOnlyList<string> Cameras { get; init; } = [];
}
