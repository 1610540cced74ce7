namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// Where a sink on one node reaches the sink of another node. In <c>skylark up</c> that is the link-emulation proxy
/// from <c>fromNode</c> to <c>toNode</c>; in a cluster, the StateSink pod on <c>toNode</c>.
/// </summary>
public interface ISinkDirectory
{
    /// <summary>The base URL of <paramref name="toNode"/>'s sink as seen from <paramref name="fromNode"/>.</summary>
    /// <exception cref="KeyNotFoundException">No sink is known for <paramref name="toNode"/>.</exception>
    Uri SinkFor(string fromNode, string toNode);

    /// <summary>
    /// Where link probes (measurement, not state) go; the same sink. Separate so an emulator can count probe bytes
    /// apart from the bundles a sink moves.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No sink is known for <paramref name="toNode"/>.</exception>
    Uri ProbeSinkFor(string fromNode, string toNode) => SinkFor(fromNode, toNode);
}
