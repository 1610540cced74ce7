namespace Skylark.Events.StateSink.Sync;

/// <summary>What one periodic sync did. Steps that failed are listed in <see cref="Errors"/>; the others still ran.</summary>
public sealed record SyncSummary(
    DateTimeOffset CompletedAt,
    double DurationMs,
    string? Topology,
    bool TopologyChanged,
    IReadOnlyList<string> Neighbours,
    int ProbeFailures,
    int Wanted,
    int Repulled,
    int StillWanted,
    int Expired,
    long BundleBytes,
    long? BudgetBytes,
    int Evicted,
    long EvictedBytes,
    IReadOnlyList<string> Errors);
