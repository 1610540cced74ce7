using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Predictor.Learning;
using Skylark.Events.Predictor.Metrics;
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
public sealed partial class NextHopPredictor : IPropagationPolicy
{
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
}
