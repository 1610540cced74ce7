namespace Skylark.Events.Predictor.Planning;

/// <summary>
/// Steps awaiting their successors, by workflow and in arrival order, so a successor's completion finds the step
/// that invoked it and the oldest steps expire first. Bounded: beyond the limit the oldest are dropped.
/// Not thread-safe; the owner serialises access.
/// </summary>
internal sealed class PendingSteps(int maxSteps)
{
    private readonly Dictionary<string, List<PendingStep>> _byWorkflow = new(StringComparer.Ordinal);
    private readonly Queue<PendingStep> _arrivals = new();

    public int Count { get; private set; }

    /// <returns>How many unresolved steps were dropped to make room.</returns>
    public int Add(PendingStep step)
    {
        var evicted = 0;
        while (Count >= maxSteps && _arrivals.TryDequeue(out var oldest))
        {
            if (!oldest.Resolved)
            {
                Remove(oldest);
                evicted++;
            }
        }

        if (!_byWorkflow.TryGetValue(step.WorkflowId, out var steps))
        {
            steps = [];
            _byWorkflow[step.WorkflowId] = steps;
        }

        steps.Add(step);
        _arrivals.Enqueue(step);
        Count++;
        return evicted;
    }

    /// <summary>The latest open step of the workflow that invoked <paramref name="function"/> and has not seen it yet.</summary>
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

    public PendingStep? LatestOpen(string workflowId) =>
        _byWorkflow.TryGetValue(workflowId, out var steps) && steps.Count > 0 ? steps[^1] : null;

    /// <summary>Removes and returns the open steps that completed before <paramref name="cutoff"/>, oldest first.</summary>
    public List<PendingStep> ExpireBefore(DateTimeOffset cutoff)
    {
        var expired = new List<PendingStep>();
        while (_arrivals.TryPeek(out var oldest) && (oldest.Resolved || oldest.Time < cutoff))
        {
            _arrivals.Dequeue();
            if (!oldest.Resolved)
            {
                Remove(oldest);
                expired.Add(oldest);
            }
        }

        return expired;
    }

    /// <summary>Takes a step out of the open set (it stays in the arrival queue, skipped later).</summary>
    public void Remove(PendingStep step)
    {
        if (step.Resolved)
        {
            return;
        }

        step.Resolved = true;
        Count--;
        if (_byWorkflow.TryGetValue(step.WorkflowId, out var steps))
        {
            steps.Remove(step);
            if (steps.Count == 0)
            {
                _byWorkflow.Remove(step.WorkflowId);
            }
        }
    }

    public void Clear()
    {
        _byWorkflow.Clear();
        _arrivals.Clear();
        Count = 0;
    }
}
