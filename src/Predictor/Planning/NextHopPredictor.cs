using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Predictor.Learning;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Predictor.Persistence;
using Skylark.Events.Predictor.Triggers;

namespace Skylark.Events.Predictor.Planning;

/// <summary>
/// Turns the stream of function completions into propagate commands. For each completion it
/// <list type="number">
/// <item>learns from it as a successor: which earlier step of the workflow invoked it, and where it ran;</item>
/// <item>asks the Triggers which functions the broker will invoke next, weighs each by how often it actually followed,
/// and finds the node each is expected on (history, or an SLO election toward the nearest host);</item>
/// <item>plans propagate commands for the likeliest targets, within the fan-out bound and the byte budget, never to
/// the node that already holds the state.</item>
/// </list>
/// Calls are serialised internally; one instance serves one event stream in order.
/// </summary>
public sealed class NextHopPredictor : IPropagationPolicy
{
    /// <summary>How much more certain the serving sequence must be than the placement model to be believed instead.</summary>
    private const double SequenceMargin = 0.1;

    private readonly Lock _gate = new();
    private readonly TriggerSuccessors _triggers;
    private readonly PredictorOptions _options;
    private readonly PredictorTopology _topologySource;
    private readonly TimeProvider _time;
    private readonly SuccessorModel _successors;
    private readonly PlacementModel _placement;
    private readonly ServingSequenceModel _sequence;
    private readonly CoReadModel _coReads;
    private readonly OutputModel _outputs;
    private readonly PendingSteps _pending;
    private long _modelVersion;
    private DateTimeOffset _latestEventTime = DateTimeOffset.MinValue;
    private DateTimeOffset _latestEventSeenAt;

    // The topology of the decision in progress, taken once per event under the lock: a refreshed topology (from the
    // Kubernetes API) must not change between the snapshot index and the election of one decision.
    private SnapshotElectionGraphs? _topology;

    public NextHopPredictor(
        TriggerSuccessors triggers,
        PredictorOptions options,
        SnapshotElectionGraphs? topology = null,
        PredictorMetrics? metrics = null,
        TimeProvider? timeProvider = null)
        : this(triggers, options, new PredictorTopology(topology), metrics, timeProvider)
    {
    }

    /// <param name="triggers">The Triggers' successors of each completion.</param>
    /// <param name="options">The Predictor's options.</param>
    /// <param name="topology">The topology elections run on, read afresh for every event (it may be refreshed).</param>
    /// <param name="metrics">Where decisions are counted.</param>
    /// <param name="timeProvider">The clock of outcome windows and decision times.</param>
    public NextHopPredictor(
        TriggerSuccessors triggers,
        PredictorOptions options,
        PredictorTopology topology,
        PredictorMetrics? metrics = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topology);
        options.Validate();
        _triggers = triggers;
        _options = options;
        _topologySource = topology;
        _time = timeProvider ?? TimeProvider.System;
        Metrics = metrics ?? new PredictorMetrics();
        _successors = new SuccessorModel(options.SuccessorDecay);
        _placement = new PlacementModel(options.PlacementDecay, options.MaxModelKeys);
        _sequence = new ServingSequenceModel(options.PlacementDecay, options.MaxModelKeys);
        _coReads = new CoReadModel(options.MaxCoReads, options.MaxModelKeys, options.MaxModelKeys);
        _outputs = new OutputModel(options.MaxModelKeys);
        _pending = new PendingSteps(options.MaxPendingSteps);
    }

    public PredictorMetrics Metrics { get; }

    /// <summary>Grows whenever the learned model changes, so persistence writes only when there is something new.</summary>
    public long ModelVersion => Interlocked.Read(ref _modelVersion);

    public PredictionDecision Observe(Completion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var started = _time.GetTimestamp();
        PredictionDecision decision;
        lock (_gate)
        {
            if (completion.Time > _latestEventTime)
            {
                _latestEventTime = completion.Time;
                _latestEventSeenAt = _time.GetUtcNow();
            }

            _topology = _topologySource.Graphs;
            ExpireLocked(completion.Time);
            LearnLocked(completion);
            decision = DecideLocked(completion);
        }

        var elapsed = _time.GetElapsedTime(started);
        Metrics.Decided(decision.Commands.Count, decision.Commands.Sum(c => c.Bytes), elapsed, decision.Commands.Count(c => c.Data.AwaitWrite));
        return decision with { DecisionTime = elapsed };
    }

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

    private PredictionDecision DecideLocked(Completion completion)
    {
        var snapshot = _topology?.Schedule.IndexAt(completion.Time) ?? 0;
        var candidates = _triggers.For(completion.Event);
        var successors = new List<PredictedSuccessor>(candidates.Count);
        var targets = new List<Target>();
        var outputBytes = completion.OutputBytes ?? _options.DefaultBundleBytes;
        foreach (var function in candidates)
        {
            var probability = _successors.Probability(completion.Function, function);
            var nodes = NodesOf(function, completion.Node, snapshot);
            if (nodes.Count > 0)
            {
                foreach (var (node, nodeProbability) in nodes)
                {
                    targets.Add(new Target(function, node, probability * nodeProbability));
                }

                successors.Add(new PredictedSuccessor(
                    function, probability, probability >= _options.ProbabilityThreshold, nodes[0].Node, nodes[0].Probability, NodeSource.History, null));
                continue;
            }

            var (destination, share, election) = ElectLocked(function, completion, snapshot, outputBytes);
            if (election is { IsElected: true } elected)
            {
                targets.Add(new Target(function, _topology![snapshot].Graph.NameOf(elected.Node), probability * share));
            }

            successors.Add(new PredictedSuccessor(
                function,
                probability,
                probability >= _options.ProbabilityThreshold,
                destination,
                destination is null ? 0 : share,
                destination is null ? NodeSource.Unknown : NodeSource.Election,
                election?.Outcome));
        }

        var step = new PendingStep(
            completion.WorkflowId,
            completion.Function,
            completion.Node,
            snapshot,
            completion.Time,
            DueTime(completion.Function, candidates, completion.Time),
            candidates,
            successors.Where(s => s.IsPredicted).Select(s => s.Function).ToHashSet(StringComparer.Ordinal),
            successors.Where(s => s.ExpectedNode is not null).ToDictionary(s => s.Function, s => s.ExpectedNode!, StringComparer.Ordinal));
        Metrics.StepsEvicted(_pending.Add(step));

        var commands = Plan(completion, targets, out var budgetLeft);
        PlanAhead(completion, successors, snapshot, budgetLeft, commands);
        return new PredictionDecision(completion, snapshot, successors, commands, TimeSpan.Zero);
    }

    /// <summary>
    /// One step ahead: each predicted successor is about to run on its expected node and write the output it writes
    /// every run; where history says the function after it runs on another node, that output is propagated there
    /// now, marked <c>awaitWrite</c>. The target registers the pull at once and the holder answers it when the write
    /// happens, so the bytes move while the completion is still on its way through the broker: a completion-triggered
    /// propagation starts together with the successor it is meant to serve and always loses that race.
    /// </summary>
    private void PlanAhead(Completion completion, IReadOnlyList<PredictedSuccessor> successors, int snapshot, long budget, List<PropagateCommand> commands)
    {
        foreach (var successor in successors)
        {
            if (!successor.IsPredicted || successor.ExpectedNode is not { } producer || _outputs.Predict(successor.Function) is not { } output)
            {
                continue;
            }

            var reach = successor.Probability * successor.NodeProbability;
            var targets = new List<Target>();
            foreach (var (follower, followProbability) in _successors.Followers(successor.Function))
            {
                foreach (var (node, nodeProbability) in NodesOf(follower, producer, snapshot))
                {
                    var probability = reach * followProbability * nodeProbability;
                    if (node != producer && probability >= _options.ProbabilityThreshold)
                    {
                        targets.Add(new Target(follower, node, probability));
                    }
                }
            }

            var bytes = output.Bytes ?? _options.DefaultBundleBytes;
            var bundle = new StateRef(producer, completion.WorkflowId, output.Bundle);
            var producerDelay = TimeSpan.FromMilliseconds(_successors.DelayMs(completion.Function, successor.Function) ?? 0);
            var deadline = completion.Time + producerDelay + _options.PropagationDeadline;
            var chosenNodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var target in targets.OrderByDescending(t => t.Probability).ThenBy(t => t.Node, StringComparer.Ordinal))
            {
                if (chosenNodes.Count >= _options.MaxTargets || bytes > budget || !chosenNodes.Add(target.Node))
                {
                    continue;
                }

                budget -= bytes;
                commands.Add(new PropagateCommand(
                    $"{completion.Id}:ahead:{successor.Function}:{target.Node}",
                    completion.WorkflowId,
                    new StatePropagate([bundle], producer, target.Node, target.Function, Math.Round(target.Probability, 6), deadline, AwaitWrite: true),
                    bytes));
            }
        }
    }

    /// <summary>
    /// Where <paramref name="function"/> will run after a step on <paramref name="predecessorNode"/>: the placement
    /// model (where it ran after that node), unless the serving sequence (where it runs after where it ran last) is more
    /// certain — as it is when instances take turns whatever the state's node.
    /// </summary>
    private IReadOnlyList<(string Node, double Probability)> NodesOf(string function, string predecessorNode, int snapshot)
    {
        var placed = _placement.Predict(function, predecessorNode, snapshot);
        var sequenced = _sequence.Predict(function);
        return sequenced.Count > 0 && (placed.Count == 0 || sequenced[0].Probability > placed[0].Probability + SequenceMargin)
            ? sequenced
            : placed;
    }

    /// <summary>No history: head for the nearest node hosting the function and elect where along the path the state goes.</summary>
    private (string? Destination, double Share, ElectionResult? Election) ElectLocked(string function, Completion completion, int snapshot, long bytes)
    {
        if (_topology is null || !_topology.Topology.Contains(completion.Holder))
        {
            return (null, 0, null);
        }

        var hosts = _topology!.HostsOf(function);
        if (hosts.Length == 0)
        {
            return (null, 0, null);
        }

        var graph = _topology[snapshot];
        var holder = _topology.Topology.IndexOf(completion.Holder);
        var nearest = graph.PathsFrom(holder).Nearest(hosts);

        var share = 1.0 / hosts.Length;
        if (nearest < 0)
        {
            return (null, share, ElectionResult.Failed(ElectionOutcome.Unreachable));
        }

        var result = StateElection.Elect(graph, holder, nearest, bytes, _options.Slo, completion.ElapsedMs ?? 0);
        return (graph.Graph.NameOf(nearest), share, result);
    }

    private List<PropagateCommand> Plan(Completion completion, List<Target> targets, out long budgetLeft)
    {
        var commands = new List<PropagateCommand>();
        var ranked = targets
            .Where(t => t.Probability >= _options.ProbabilityThreshold && t.Node != completion.Holder)
            .OrderByDescending(t => t.Probability)
            .ThenBy(t => t.Node, StringComparer.Ordinal)
            .ThenBy(t => t.Function, StringComparer.Ordinal);
        var chosenNodes = new HashSet<string>(StringComparer.Ordinal);
        var planned = new HashSet<(string Node, StateRef Ref)>();
        var budget = _options.ByteBudget;
        var deadline = completion.Time + _options.PropagationDeadline;
        foreach (var target in ranked)
        {
            if (!chosenNodes.Contains(target.Node) && chosenNodes.Count >= _options.MaxTargets)
            {
                continue;
            }

            var bundles = new List<(StateRef Ref, long Bytes)>();
            foreach (var (stateRef, bytes) in BundlesFor(completion, target.Function))
            {
                if (stateRef.Node == target.Node || !planned.Add((target.Node, stateRef)))
                {
                    continue;
                }

                if (bytes > budget)
                {
                    planned.Remove((target.Node, stateRef));
                    continue;
                }

                budget -= bytes;
                bundles.Add((stateRef, bytes));
            }

            if (bundles.Count == 0)
            {
                continue;
            }

            chosenNodes.Add(target.Node);
            foreach (var group in bundles.GroupBy(b => b.Ref.Node, StringComparer.Ordinal))
            {
                var payload = new StatePropagate(
                    group.Select(b => b.Ref).ToList(),
                    group.Key,
                    target.Node,
                    target.Function,
                    Math.Round(target.Probability, 6),
                    deadline);
                commands.Add(new PropagateCommand(
                    $"{completion.Id}:{target.Function}:{group.Key}:{target.Node}",
                    completion.WorkflowId,
                    payload,
                    group.Sum(b => b.Bytes)));
            }
        }

        budgetLeft = budget;
        return commands;
    }

    /// <summary>The output the successor reads first, then the stream bundles it read last time for this camera.</summary>
    private IEnumerable<(StateRef Ref, long Bytes)> BundlesFor(Completion completion, string function)
    {
        if (completion.StateKey is { } output)
        {
            yield return (output, completion.OutputBytes ?? _options.DefaultBundleBytes);
        }

        foreach (var (stateRef, bytes) in _coReads.Lookup(function, completion.Camera))
        {
            if (stateRef != completion.StateKey)
            {
                yield return (stateRef, bytes ?? _options.DefaultBundleBytes);
            }
        }
    }

    private readonly record struct Target(string Function, string Node, double Probability);
}
