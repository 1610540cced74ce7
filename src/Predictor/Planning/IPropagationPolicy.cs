using Skylark.Events.Predictor.Completions;

namespace Skylark.Events.Predictor.Planning;

/// <summary>
/// A policy the Predictor's worker runs: it is shown every accepted completion (and workflow start) in arrival
/// order and answers with the propagate commands to send. <see cref="PredictorOptions.Policy"/> selects which.
/// </summary>
public interface IPropagationPolicy
{
    /// <summary>Decides on one completion; the commands are sent by the caller.</summary>
    PredictionDecision Observe(Completion completion);

    /// <summary>Called periodically while traffic may be idle, for policies that judge outcomes over time.</summary>
    void Sweep();
}
