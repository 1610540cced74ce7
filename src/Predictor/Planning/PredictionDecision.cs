using Skylark.Events.Predictor.Completions;

namespace Skylark.Events.Predictor.Planning;

/// <summary>What the Predictor made of one completion.</summary>
/// <param name="Completion">The completion.</param>
/// <param name="Snapshot">Index of the topology snapshot at the completion's time (0 without a topology).</param>
/// <param name="Successors">The Triggers' candidate successors with their probabilities and expected nodes.</param>
/// <param name="Commands">The propagate commands to emit.</param>
/// <param name="DecisionTime">Time spent deciding (learning included, sending excluded).</param>
public sealed record PredictionDecision(
    Completion Completion,
    int Snapshot,
    IReadOnlyList<PredictedSuccessor> Successors,
    IReadOnlyList<PropagateCommand> Commands,
    TimeSpan DecisionTime)
{
    /// <summary>The functions predicted to run next (probability at or above the threshold).</summary>
    public IReadOnlyList<string> PredictedFunctions => Successors.Where(s => s.IsPredicted).Select(s => s.Function).ToList();

    /// <summary>The commands moving what the completion produced or its successors read (state that exists now).</summary>
    public IReadOnlyList<PropagateCommand> OutputCommands => Commands.Where(c => !c.Data.AwaitWrite).ToList();

    /// <summary>The commands sent one step ahead: a successor's output, to be pulled when it is written.</summary>
    public IReadOnlyList<PropagateCommand> LookAheadCommands => Commands.Where(c => c.Data.AwaitWrite).ToList();
}
