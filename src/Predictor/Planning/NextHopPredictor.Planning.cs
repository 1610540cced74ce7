using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Election;

namespace Skylark.Events.Predictor.Planning;

// Planning: the propagate commands for a completion, the look-ahead ones included. It reads the models and only
// registers the pending step that learning judges later.
public sealed partial class NextHopPredictor
{
    /// <summary>How much more certain the serving sequence must be than the placement model to be believed instead.</summary>
    private const double SequenceMargin = 0.1;

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
                    bytes,
                    completion.Camera));
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
                    group.Sum(b => b.Bytes),
                    completion.Camera));
            }
        }

        budgetLeft = budget;
        return commands;
    }

    /// <summary>
    /// The output the successor reads first, then the stream bundles it read last time for this camera; only those a
    /// command of the completion's workflow may name (its own, and the camera's stream: docs/contracts.md).
    /// </summary>
    private IEnumerable<(StateRef Ref, long Bytes)> BundlesFor(Completion completion, string function)
    {
        if (completion.StateKey is { } output && PropagateScope.Admits(completion.WorkflowId, completion.Camera, output))
        {
            yield return (output, completion.OutputBytes ?? _options.DefaultBundleBytes);
        }

        foreach (var (stateRef, bytes) in _coReads.Lookup(function, completion.Camera))
        {
            if (stateRef != completion.StateKey && PropagateScope.Admits(completion.WorkflowId, completion.Camera, stateRef))
            {
                yield return (stateRef, bytes ?? _options.DefaultBundleBytes);
            }
        }
    }

    private readonly record struct Target(string Function, string Node, double Probability);
}
