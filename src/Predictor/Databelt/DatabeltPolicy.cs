using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Predictor.Triggers;

namespace Skylark.Events.Predictor.Databelt;

/// <summary>
/// Databelt's policy (polaris-slo-cloud/databelt, arXiv 2508.15351) in this engine; docs/databelt.md gives the source
/// of each choice. On each completion of a function F of workflow W whose output is held on node h:
/// <list type="number">
/// <item>the next functions are the ones the Triggers invoke for the completion: the static chain, nothing predicted;</item>
/// <item>each one's node is where the topology places it: h itself when h hosts it, its only host, else the host
/// nearest h (ties: topology order); or <see cref="DatabeltOptions.Destination"/> for every function when set;</item>
/// <item>the target is elected along the lowest-latency path from h to that node by <see cref="StateElection"/>: the
/// node farthest along it whose transfer fits the SLO. Time already spent is not counted, as in Databelt's final
/// code. When nothing fits, or the node is h, the state stays;</item>
/// <item>F's output, with W's other bundles written on h (fusion), goes to each elected target in one propagate
/// command, sent now, at completion. Several successors elected to the same node share that command.</item>
/// </list>
/// Workflow starts change nothing. Nothing is learned from one workflow for the next, and no step is looked ahead.
/// Calls are serialised internally.
/// </summary>
public sealed class DatabeltPolicy : IPropagationPolicy
{
    /// <summary>The <c>probability</c> of every command: the Triggers will invoke the successor, nothing is guessed.</summary>
    public const double CommandProbability = 1.0;

    private readonly Lock _gate = new();
    private readonly TriggerSuccessors _triggers;
    private readonly PredictorOptions _options;
    private readonly PredictorTopology _topologySource;
    private readonly TimeProvider _time;
    private readonly WorkflowBundles _workflows;

    // The topology of the decision in progress, taken once per event under the lock (it may be refreshed).
    private SnapshotElectionGraphs? _topology;

    /// <exception cref="ArgumentException">The options are invalid, or <see cref="DatabeltOptions.Destination"/> is not a node of the topology.</exception>
    public DatabeltPolicy(
        TriggerSuccessors triggers,
        PredictorOptions options,
        SnapshotElectionGraphs? topology = null,
        PredictorMetrics? metrics = null,
        TimeProvider? timeProvider = null)
        : this(triggers, options, new PredictorTopology(topology), metrics, timeProvider)
    {
    }

    /// <param name="triggers">The Triggers' successors of each completion.</param>
    /// <param name="options">The Predictor's options (<see cref="PredictorOptions.Databelt"/>).</param>
    /// <param name="topology">The topology elections run on, read afresh for every event (it may be refreshed; a
    /// refreshed one always has <see cref="DatabeltOptions.Destination"/>, see <see cref="PredictorTopology"/>).</param>
    /// <param name="metrics">Where decisions are counted.</param>
    /// <param name="timeProvider">The clock of decision times.</param>
    /// <exception cref="ArgumentException">The options are invalid, or <see cref="DatabeltOptions.Destination"/> is not a node of the topology.</exception>
    public DatabeltPolicy(
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
        if (topology.Graphs is { } graphs && options.Databelt.Destination is { } destination && !graphs.Topology.Contains(destination))
        {
            throw new ArgumentException(
                $"PredictorOptions.Databelt.Destination '{destination}' is not a node of topology '{graphs.Topology.Name}'.", nameof(options));
        }

        _triggers = triggers;
        _options = options;
        _topologySource = topology;
        _time = timeProvider ?? TimeProvider.System;
        _workflows = new WorkflowBundles(options.Databelt.MaxWorkflows);
        Metrics = metrics ?? new PredictorMetrics();
    }

    public PredictorMetrics Metrics { get; }

    public PredictionDecision Observe(Completion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var started = _time.GetTimestamp();
        PredictionDecision decision;
        lock (_gate)
        {
            _topology = _topologySource.Graphs;
            decision = DecideLocked(completion);
        }

        var elapsed = _time.GetElapsedTime(started);
        Metrics.Decided(decision.Commands.Count, decision.Commands.Sum(c => c.Bytes), elapsed);
        return decision with { DecisionTime = elapsed };
    }

    /// <summary>Nothing is judged over time: the chain is static and nothing is learned.</summary>
    public void Sweep()
    {
    }

    private PredictionDecision DecideLocked(Completion completion)
    {
        var snapshot = _topology?.Schedule.IndexAt(completion.Time) ?? 0;

        // A workflow's input is where its first function runs (the client put it there); Databelt moves nothing
        // before a function has completed.
        if (completion.IsStart)
        {
            return new PredictionDecision(completion, snapshot, [], [], TimeSpan.Zero);
        }

        var run = _workflows.Touch(completion.WorkflowId);
        if (run.ExpectedNodes.Remove(completion.Function, out var expected))
        {
            Metrics.NodeChecked(string.Equals(expected, completion.Node, StringComparison.Ordinal));
        }

        Record(run, completion);
        var candidates = _triggers.For(completion.Event);
        if (candidates.Count == 0)
        {
            return new PredictionDecision(completion, snapshot, [], [], TimeSpan.Zero);
        }

        var graph = _topology?[snapshot];
        var holder = _topology is not null && _topology.Topology.Contains(completion.Holder) ? _topology.Topology.IndexOf(completion.Holder) : -1;
        var bundles = Outgoing(run, completion);
        var bytes = bundles.Sum(b => b.Bytes);
        var successors = new List<PredictedSuccessor>(candidates.Count);
        var targets = new List<(string Node, string Function)>();
        foreach (var function in candidates)
        {
            var host = StaticNode(function, holder, graph);
            if (host is not null)
            {
                run.ExpectedNodes[function] = host;
            }

            ElectionResult? election = null;
            if ((_options.Databelt.Destination ?? host) is { } destination && graph is not null && holder >= 0 && bundles.Count > 0)
            {
                // Databelt's final election ignores the time the function already spent (docs/databelt.md).
                var result = StateElection.Elect(graph, holder, _topology!.Topology.IndexOf(destination), bytes, _options.Slo, elapsedMs: 0);
                election = result;
                if (result.IsElected)
                {
                    var target = graph.Graph.NameOf(result.Node);
                    if (!targets.Exists(t => string.Equals(t.Node, target, StringComparison.Ordinal)))
                    {
                        targets.Add((target, function));
                    }
                }
            }

            successors.Add(new PredictedSuccessor(
                function,
                CommandProbability,
                IsPredicted: true,
                host,
                host is null ? 0 : 1,
                host is null ? NodeSource.Unknown : NodeSource.Static,
                election?.Outcome));
        }

        var commands = new List<PropagateCommand>(targets.Count);
        var deadline = completion.Time + _options.PropagationDeadline;
        foreach (var (node, function) in targets)
        {
            // Every outgoing bundle is held on the output's node (that is what co-located means here), so one command
            // per target carries them all, and the target's StateSink fetches them in one fused request.
            var from = completion.StateKey!.Node;
            commands.Add(new PropagateCommand(
                $"{completion.Id}:{function}:{from}:{node}",
                completion.WorkflowId,
                new StatePropagate([.. bundles.Select(b => b.Ref)], from, node, function, CommandProbability, deadline),
                bytes,
                completion.Camera));
        }

        return new PredictionDecision(completion, snapshot, successors, commands, TimeSpan.Zero);
    }

    /// <summary>The bundles of the completion's workflow that it wrote: its output and its other writes in the same workflow.</summary>
    private void Record(WorkflowBundles.Run run, Completion completion)
    {
        foreach (var write in completion.Writes)
        {
            if (string.Equals(write.Ref.WorkflowId, completion.WorkflowId, StringComparison.Ordinal))
            {
                run.Wrote(write.Ref, write.Bytes ?? _options.DefaultBundleBytes);
            }
        }

        if (completion.StateKey is { } output && string.Equals(output.WorkflowId, completion.WorkflowId, StringComparison.Ordinal))
        {
            run.Wrote(output, completion.OutputBytes ?? _options.DefaultBundleBytes);
        }
    }

    /// <summary>
    /// What leaves at this completion: the output first; with fusion, then the workflow's other bundles held on the
    /// same node (written there by the workflow's co-located functions), in the order they were written, within
    /// <see cref="DatabeltOptions.MaxBundlesPerCommand"/>. Nothing without an output.
    /// </summary>
    private List<(StateRef Ref, long Bytes)> Outgoing(WorkflowBundles.Run run, Completion completion)
    {
        if (completion.StateKey is not { } output)
        {
            return [];
        }

        var bundles = new List<(StateRef Ref, long Bytes)> { (output, completion.OutputBytes ?? _options.DefaultBundleBytes) };
        if (_options.Databelt.Fuse)
        {
            foreach (var (stateRef, bytes) in run.HeldOn(output.Node))
            {
                if (bundles.Count >= _options.Databelt.MaxBundlesPerCommand)
                {
                    break;
                }

                if (stateRef != output)
                {
                    bundles.Add((stateRef, bytes));
                }
            }
        }

        return bundles;
    }

    /// <summary>
    /// The node the topology places <paramref name="function"/> on, seen from the holder: the holder itself when it
    /// hosts the function, the only host, else the host nearest the holder by latency in the current snapshot (ties,
    /// and hosts the holder cannot reach: the first in topology order). Null without a topology or a host.
    /// </summary>
    private string? StaticNode(string function, int holder, ElectionGraph? graph)
    {
        if (_topology is null)
        {
            return null;
        }

        var hosts = _topology!.HostsOf(function);
        if (hosts.Length == 0)
        {
            return null;
        }

        var chosen = Array.IndexOf(hosts, holder) >= 0 ? holder
            : hosts.Length > 1 && holder >= 0 && graph is not null ? graph.PathsFrom(holder).Nearest(hosts)
            : hosts[0];
        if (chosen < 0)
        {
            chosen = hosts[0]; // none reachable: the first placement, as a static configuration would name it
        }

        return _topology.Topology.Nodes[chosen].Name;
    }
}
