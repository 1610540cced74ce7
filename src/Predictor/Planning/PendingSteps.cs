namespace Skylark.Events.Predictor.Planning;

/// <summary>
/// Steps awaiting their successors, by workflow, by due time, and in arrival order: a successor's completion finds
/// the step that invoked it, overdue steps are judged in due order, and judged steps are forgotten in arrival order
/// once even a late successor could no longer arrive. Bounded: beyond the limit the oldest are dropped.
/// Not thread-safe; the owner serialises access.
/// </summary>
internal sealed class PendingSteps(int maxSteps)
{
    private readonly Dictionary<string, List<PendingStep>> _byWorkflow = new(StringComparer.Ordinal);
    private readonly PriorityQueue<PendingStep, DateTimeOffset> _due = new();
    private readonly Queue<PendingStep> _arrivals = new();

    /// <summary>Steps not judged yet.</summary>
    public int Open { get; private set; }

    /// <summary>Steps remembered, judged or not.</summary>
    public int Count => _arrivals.Count;

    /// <returns>How many unjudged steps were dropped to make room.</returns>
    public int Add(PendingStep step)
    {
        var evicted = 0;
        while (_arrivals.Count >= maxSteps && _arrivals.TryDequeue(out var oldest))
        {
            if (!oldest.Resolved)
            {
                evicted++;
                MarkResolved(oldest);
            }

            Forget(oldest);
        }

        if (!_byWorkflow.TryGetValue(step.WorkflowId, out var steps))
        {
            steps = [];
            _byWorkflow[step.WorkflowId] = steps;
        }

        steps.Add(step);
        _arrivals.Enqueue(step);
        _due.Enqueue(step, step.Due);
        Open++;
        if (_due.Count > 2 * maxSteps)
        {
            // Judged steps leave the due queue lazily; at high rates they would pile up behind a far due time.
            var open = _due.UnorderedItems.Where(e => !e.Element.Resolved).ToList();
            _due.Clear();
            _due.EnqueueRange(open);
        }

        return evicted;
    }

    /// <summary>The latest step of the workflow (judged or not) that invoked <paramref name="function"/> and has not seen it yet.</summary>
    public PendingStep? Expecting(string workflowId, string function)
    {
        if (_byWorkflow.TryGetValue(workflowId, out var steps))
        {
            for (var i = steps.Count - 1; i >= 0; i--)
            {
                if (steps[i].Expects(function))
                {
                    return steps[i];
                }
            }
        }

        return null;
    }

    /// <summary>The latest step of the workflow still awaiting successors.</summary>
    public PendingStep? LatestOpen(string workflowId)
    {
        if (_byWorkflow.TryGetValue(workflowId, out var steps))
        {
            for (var i = steps.Count - 1; i >= 0; i--)
            {
                if (!steps[i].Resolved)
                {
                    return steps[i];
                }
            }
        }

        return null;
    }

    /// <summary>Takes out the open steps due by <paramref name="now"/>, earliest due first; they stay attributable.</summary>
    public List<PendingStep> TakeDue(DateTimeOffset now)
    {
        var due = new List<PendingStep>();
        while (_due.TryPeek(out var step, out var at) && (step.Resolved || at <= now))
        {
            _due.Dequeue();
            if (!step.Resolved)
            {
                MarkResolved(step);
                due.Add(step);
            }
        }

        return due;
    }

    /// <summary>Marks a step judged (its successors are all in).</summary>
    public void MarkResolved(PendingStep step)
    {
        if (!step.Resolved)
        {
            step.Resolved = true;
            Open--;
        }
    }

    /// <summary>
    /// Forgets judged steps that completed before <paramref name="cutoff"/>; open ones are left for <see cref="TakeDue"/>
    /// (their due time is never later than the cutoff allows).
    /// </summary>
    public void ForgetBefore(DateTimeOffset cutoff)
    {
        while (_arrivals.TryPeek(out var oldest) && oldest.Resolved && oldest.Time < cutoff)
        {
            _arrivals.Dequeue();
            Forget(oldest);
        }
    }

    private void Forget(PendingStep step)
    {
        if (_byWorkflow.TryGetValue(step.WorkflowId, out var steps))
        {
            steps.Remove(step);
            if (steps.Count == 0)
            {
                _byWorkflow.Remove(step.WorkflowId);
            }
        }
    }
}
