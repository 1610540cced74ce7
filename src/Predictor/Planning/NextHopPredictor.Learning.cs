using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Persistence;

namespace Skylark.Events.Predictor.Planning;

// Learning: observing completions into the models, judging each step's prediction against what followed, and the
// model's import and export. Kept apart from planning so a change to how commands are chosen cannot touch what is learned.
public sealed partial class NextHopPredictor
{
    /// <summary>
    /// Resolves steps whose outcome window has passed while no completion arrived. Windows are measured on the
    /// events' own clock: the time of the latest event plus the time that has passed since it arrived, so a replay of
    /// old events is judged exactly like live traffic.
    /// </summary>
    public void Sweep()
    {
        lock (_gate)
        {
            if (_latestEventTime != DateTimeOffset.MinValue)
            {
                ExpireLocked(_latestEventTime + (_time.GetUtcNow() - _latestEventSeenAt));
            }
        }
    }

    /// <summary>Resolves steps whose outcome window has passed by <paramref name="now"/> (successors that never came did not follow).</summary>
    public void Sweep(DateTimeOffset now)
    {
        lock (_gate)
        {
            ExpireLocked(now);
        }
    }

    public PredictorModelState ExportModel()
    {
        lock (_gate)
        {
            return new PredictorModelState(
                PredictorModelState.CurrentVersion,
                _successors.Export().Select(r => new SuccessorRateState(r.From, r.To, r.Followed, r.Offered, r.DelayMs)).ToList(),
                _placement.Export().Select(p => new PlacementState(p.Function, p.PredecessorNode, p.Snapshot, p.Weights.ToDictionary())).ToList(),
                _coReads.ExportSets().Select(s => new CoReadSetState(s.Function, s.Camera, s.Bundles.Select(b => $"{b.WorkflowId}/{b.Bundle}").ToList())).ToList(),
                _coReads.ExportLocations().Select(l => new BundleLocationState(l.Ref, l.Bytes)).ToList(),
                _outputs.Export().Select(o => new OutputState(o.Function, o.Bundle, o.Bytes, o.Streak)).ToList(),
                _successors.ExportRuns().Select(r => new RunFollowsState(r.From, r.Runs, r.Followed)).ToList(),
                _sequence.Export().Select(e => new ServingSequenceState(e.Function, e.After, e.Last, e.Next.ToDictionary())).ToList());
        }
    }

    /// <summary>Replaces the learned model (pending steps are kept).</summary>
    /// <exception cref="ArgumentException">The state is of an unknown version.</exception>
    public void ImportModel(PredictorModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != PredictorModelState.CurrentVersion)
        {
            throw new ArgumentException($"model state version {state.Version} is not supported (expected {PredictorModelState.CurrentVersion}).", nameof(state));
        }

        lock (_gate)
        {
            _successors.Clear();
            _placement.Clear();
            _sequence.Clear();
            _coReads.Clear();
            _outputs.Clear();
            foreach (var runs in state.Runs ?? [])
            {
                _successors.ImportRuns(runs.From, runs.Runs, runs.Followed ?? new Dictionary<string, double>());
            }

            foreach (var output in state.Outputs ?? [])
            {
                _outputs.Import(output.Function, output.Bundle, output.Bytes, output.Streak);
            }

            foreach (var rate in state.Successors ?? [])
            {
                _successors.Import(rate.From, rate.To, rate.Followed, rate.Offered, rate.DelayMs);
            }

            foreach (var sequence in state.Sequences ?? [])
            {
                _sequence.Import(sequence.Function, sequence.After, sequence.Last, sequence.Next ?? new Dictionary<string, double>());
            }

            foreach (var placement in state.Placements ?? [])
            {
                _placement.Import(placement.Function, placement.PredecessorNode, placement.Snapshot, placement.Nodes);
            }

            foreach (var location in state.Locations ?? [])
            {
                _coReads.ImportLocation(location.Ref, location.Bytes);
            }

            foreach (var set in state.CoReads ?? [])
            {
                _coReads.ImportSet(set.Function, set.Camera, set.Bundles.Select(SplitIdentity).OfType<(string, string)>());
            }
        }
    }

    private static (string, string)? SplitIdentity(string identity) =>
        identity.Split('/') is [var workflowId, var bundle] ? (workflowId, bundle) : null;

    /// <summary>Judges the steps due by <paramref name="now"/> and forgets those too old for even a late successor.</summary>
    private void ExpireLocked(DateTimeOffset now)
    {
        foreach (var step in _pending.TakeDue(now))
        {
            JudgeLocked(step);
        }

        _pending.ForgetBefore(now - _options.OutcomeWindow);
    }

    /// <summary>A step's successors are all in or overdue: learn what followed and score the prediction.</summary>
    private void JudgeLocked(PendingStep step)
    {
        _pending.MarkResolved(step);
        foreach (var candidate in step.Candidates)
        {
            _successors.Observe(step.Function, candidate, step.Followed.Contains(candidate));
        }

        _successors.ObserveRun(step.Function, step.Followed);

        if (step.Candidates.Count > 0)
        {
            Interlocked.Increment(ref _modelVersion);
        }

        step.JudgedCorrect = step.IsCorrect;
        Metrics.NextFunctionChecked(step.JudgedCorrect);
    }

    /// <summary>When a step's unseen successors count as not following: a few times their usual delay, within bounds.</summary>
    private DateTimeOffset DueTime(string function, IReadOnlyList<string> candidates, DateTimeOffset time)
    {
        var wait = _options.MinOutcomeWindow;
        foreach (var candidate in candidates)
        {
            var delay = _successors.DelayMs(function, candidate);
            if (delay is null)
            {
                return time + _options.OutcomeWindow;
            }

            var candidateWait = TimeSpan.FromMilliseconds(delay.Value * _options.OutcomeWindowFactor);
            wait = candidateWait > wait ? candidateWait : wait;
        }

        return time + (wait < _options.OutcomeWindow ? wait : _options.OutcomeWindow);
    }

    private void LearnLocked(Completion completion)
    {
        if (_pending.Expecting(completion.WorkflowId, completion.Function) is { } step)
        {
            step.Followed.Add(completion.Function);
            _successors.ObserveDelay(step.Function, completion.Function, (completion.Time - step.Time).TotalMilliseconds);
            _placement.Observe(completion.Function, step.Node, step.Snapshot, completion.Node);
            if (step.PredictedNodes.TryGetValue(completion.Function, out var predicted))
            {
                Metrics.NodeChecked(predicted == completion.Node);
            }

            if (step.Resolved)
            {
                // Late: it was judged not to follow. Undo that, and the longer delay just learned widens future waits.
                _successors.Correct(step.Function, completion.Function);
                _successors.CorrectRun(step.Function, completion.Function);
                var correct = step.IsCorrect;
                Metrics.NextFunctionRejudged(step.JudgedCorrect, correct);
                step.JudgedCorrect = correct;
            }
            else if (step.AllFollowed)
            {
                JudgeLocked(step);
            }
        }
        else if (!completion.IsStart && _pending.LatestOpen(completion.WorkflowId) is { } latest)
        {
            latest.Unexpected = true;
        }

        if (!completion.IsStart)
        {
            _sequence.Observe(completion.Function, completion.Node);
            _coReads.Observe(completion);
            if (completion.StateKey is { } output)
            {
                _outputs.Observe(completion.Function, output.Bundle, completion.OutputBytes);
            }
        }

        Interlocked.Increment(ref _modelVersion);
    }
}
