namespace Skylark.Events.Predictor.Planning;

/// <summary>A completion and what it was predicted to lead to, kept until its successors are in (or overdue).</summary>
internal sealed class PendingStep(
    string workflowId,
    string function,
    string node,
    int snapshot,
    DateTimeOffset time,
    DateTimeOffset due,
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

    /// <summary>When the successors that have not come yet are judged not to follow.</summary>
    public DateTimeOffset Due { get; } = due;

    public IReadOnlyList<string> Candidates { get; } = candidates;

    public IReadOnlySet<string> Predicted { get; } = predicted;

    public IReadOnlyDictionary<string, string> PredictedNodes { get; } = predictedNodes;

    public HashSet<string> Followed { get; } = new(StringComparer.Ordinal);

    /// <summary>A completion no Trigger of this step explains arrived in the workflow: the prediction missed it.</summary>
    public bool Unexpected { get; set; }

    /// <summary>Judged (all successors in, or overdue); kept a while longer so a late successor can still be attributed.</summary>
    public bool Resolved { get; set; }

    /// <summary>Whether the next functions were predicted exactly, as last judged.</summary>
    public bool JudgedCorrect { get; set; }

    public bool IsCorrect => !Unexpected && Predicted.SetEquals(Followed);

    public bool Expects(string function) => !Followed.Contains(function) && Candidates.Contains(function, StringComparer.Ordinal);

    public bool AllFollowed => Candidates.Count > 0 && Candidates.All(Followed.Contains);
}
