namespace Skylark.Events.Topology;

/// <summary>
/// What a cluster says about the deployment at one moment: the topology (nodes, functions, links) and where each
/// node's StateSink answers.
/// </summary>
/// <param name="Topology">Nodes labelled with a node type, in name order, and the links their annotations declare.</param>
/// <param name="SinkEndpoints">Node name → <c>http://&lt;podIP&gt;:&lt;port&gt;</c> of its Running and Ready StateSink pod.
/// Nodes without one are absent.</param>
/// <param name="Warnings">Things that did not stop the load but lost or changed information (a link to an unknown node,
/// ends that disagree, a StateSink pod on a node outside the topology). Also logged.</param>
public sealed record KubernetesTopology(
    NetworkTopology Topology,
    IReadOnlyDictionary<string, Uri> SinkEndpoints,
    IReadOnlyList<string> Warnings);
