using Skylark.Events.State;
using Skylark.Events.StateSink.Sync;

namespace Skylark.Events.StateSink;

/// <summary>What <c>GET /metrics</c> returns (camelCase JSON): the sink's counters and the state of the node it serves.</summary>
public sealed record StateSinkReport(
    string Node,
    string? Topology,
    StateSinkMetricsSnapshot Counters,
    StateReadMetricsSnapshot Reads,
    InFlightReport InFlight,
    int Wanted,
    IReadOnlyList<LinkEstimate> Links,
    SyncSummary? LastSync);

/// <summary>Pulls running on the node now, and how many times a caller shared one instead of starting another.</summary>
public sealed record InFlightReport(int Count, long Joins);
