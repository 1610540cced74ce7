using Skylark.Events.Predictor.Election;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>The topology the Predictor elects on, when it has one (DI cannot hold a null singleton).</summary>
public sealed record PredictorTopology(SnapshotElectionGraphs? Graphs);
