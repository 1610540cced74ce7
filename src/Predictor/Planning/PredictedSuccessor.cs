using Skylark.Events.Predictor.Election;

namespace Skylark.Events.Predictor.Planning;

/// <summary>One function the Triggers will invoke after a completion, and what the Predictor expects of it.</summary>
/// <param name="Function">The successor function.</param>
/// <param name="Probability">Learned probability that its completion follows.</param>
/// <param name="IsPredicted">Whether <paramref name="Probability"/> reaches the threshold: the function is predicted to run next.</param>
/// <param name="ExpectedNode">The node it is expected to run on, when known.</param>
/// <param name="NodeProbability">Probability of <paramref name="ExpectedNode"/> (from history, or 1/hosts for an election).</param>
/// <param name="NodeSource">Where <paramref name="ExpectedNode"/> came from.</param>
/// <param name="Election">The election's result when there was no history; null otherwise.</param>
public sealed record PredictedSuccessor(
    string Function,
    double Probability,
    bool IsPredicted,
    string? ExpectedNode,
    double NodeProbability,
    NodeSource NodeSource,
    ElectionOutcome? Election);
