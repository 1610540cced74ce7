namespace Skylark.Events.Predictor.Election;

/// <summary>
/// The outcome of one election. For <see cref="ElectionOutcome.Elected"/>, <see cref="Node"/> is the chosen node
/// (a graph index) and the path figures describe the route from the holder to it; otherwise <see cref="Node"/> is -1.
/// </summary>
/// <param name="Outcome">How the election ended.</param>
/// <param name="Node">Graph index of the elected node; -1 unless elected.</param>
/// <param name="LatencyMs">Sum of one-way link latencies from the holder to <see cref="Node"/>, ms.</param>
/// <param name="BottleneckMbps">Narrowest link on that route, Mbit/s.</param>
/// <param name="TransferMs">Latency plus the bundle's serialisation time at the bottleneck, ms.</param>
public readonly record struct ElectionResult(ElectionOutcome Outcome, int Node, double LatencyMs, double BottleneckMbps, double TransferMs)
{
    public static ElectionResult Failed(ElectionOutcome outcome) => new(outcome, -1, double.NaN, double.NaN, double.NaN);

    public bool IsElected => Outcome == ElectionOutcome.Elected;
}
