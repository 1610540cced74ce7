using Skylark.Events.Eventing.Resources;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Databelt;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Planning;
using Skylark.Events.Predictor.Triggers;
using Skylark.Events.Tests.Predictor.Traces;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Predictor.Support;

/// <summary>Feeds a recorded trace, in order, to a real <see cref="NextHopPredictor"/> built from the trace's fixtures.</summary>
internal static class Replay
{
    public static NextHopPredictor CreatePredictor(string eventing, string? topology, Action<PredictorOptions>? configure = null)
    {
        var options = new PredictorOptions();
        configure?.Invoke(options);
        var model = ResourceLoader.Load([eventing]);
        var triggers = new TriggerSuccessors(model, options.Broker, options.IgnoredSubscribers, options.BrokerNamespace);
        var graphs = topology is null
            ? null
            : new SnapshotElectionGraphs(new SnapshotSchedule(TopologyLoader.Load(topology), options.TopologyEpoch ?? TraceGenerator.Epoch));
        return new NextHopPredictor(triggers, options, graphs);
    }

    /// <summary>The Databelt policy on the same fixtures (no model: nothing to learn before it decides).</summary>
    public static DatabeltPolicy CreateDatabeltPolicy(string eventing, string? topology, Action<PredictorOptions>? configure = null)
    {
        var options = new PredictorOptions { Policy = PredictorPolicy.Databelt };
        configure?.Invoke(options);
        var model = ResourceLoader.Load([eventing]);
        var triggers = new TriggerSuccessors(model, options.Broker, options.IgnoredSubscribers, options.BrokerNamespace);
        var graphs = topology is null
            ? null
            : new SnapshotElectionGraphs(new SnapshotSchedule(TopologyLoader.Load(topology), options.TopologyEpoch ?? TraceGenerator.Epoch));
        return new DatabeltPolicy(triggers, options, graphs);
    }

    public static PredictionDecision Observe(IPropagationPolicy predictor, TraceRecord record) =>
        predictor.Observe(CompletionReader.Read(record.Event, record.Time));

    public static List<(TraceRecord Record, PredictionDecision Decision)> Run(IPropagationPolicy predictor, IEnumerable<TraceRecord> records) =>
        records.Select(r => (r, Observe(predictor, r))).ToList();

    /// <summary>Share of decisions whose predicted next functions are exactly the ground truth's.</summary>
    public static double NextFunctionAccuracy(IEnumerable<(TraceRecord Record, PredictionDecision Decision)> decisions)
    {
        var list = decisions.ToList();
        return (double)list.Count(d => d.Decision.PredictedFunctions.ToHashSet().SetEquals(d.Record.NextFunctions)) / list.Count;
    }
}
