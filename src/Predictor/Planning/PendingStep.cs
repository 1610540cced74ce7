namespace Skylark.Events.Predictor.Planning;

/// <summary>A completion whose successors have not all been seen yet: what was predicted, and what followed so far.</summary>
internal sealed class PendingStep(
    string workflowId,
    string function,
    string node,
    int snapshot,
    DateTimeOffset time,
    IReadOnlyList<string> candidates,
    IReadOnlySet<string> predicted,
    IReadOnlyDictionary<string, string> predictedNodes)
{
    public string WorkflowId { get; } = workflowId;

    public string Function { get; } = function;

    /// <summary>Where the completed function ran: the predecessor node its successors are conditioned on.</summary>
    public string Node { get; } = node;

    public int Snapshot { get; } = snapshot;

    public DateTimeOffset Time { get; } = time;

    public IReadOnlyList<string> Candidates { get; } = candidates;

    public IReadOnlySet<string> Predicted { get; } = predicted;

    public IReadOnlyDictionary<string, string> PredictedNodes { get; } = predictedNodes;

    public HashSet<string> Followed { get; } = new(StringComparer.Ordinal);

    /// <summary>A completion no Trigger of this step explains arrived in the workflow: the prediction missed it.</summary>
    public bool Unexpected { get; set; }

    public bool Resolved { get; set; }

    public bool Expects(string function) => !Followed.Contains(function) && Candidates.Contains(function, StringComparer.Ordinal);

    public bool AllFollowed => Candidates.Count > 0 && Candidates.All(Followed.Contains);
}
