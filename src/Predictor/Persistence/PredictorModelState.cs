using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Persistence;

/// <summary>
/// The learned model as stored in Redis (JSON): successor follow rates, node counts per level, and the co-read
/// sets with the bundles' last known places, and each function's output bundle (absent in models stored before it
/// was learned: it is simply learned again), which functions followed each function's recent runs, and the order the
/// serving layer picked each function's instances in (likewise). Pending workflow steps are not part of it: they only matter for seconds.
/// </summary>
public sealed record PredictorModelState(
    int Version,
    IReadOnlyList<SuccessorRateState> Successors,
    IReadOnlyList<PlacementState> Placements,
    IReadOnlyList<CoReadSetState> CoReads,
    IReadOnlyList<BundleLocationState> Locations,
    IReadOnlyList<OutputState>? Outputs = null,
    IReadOnlyList<RunFollowsState>? Runs = null,
    IReadOnlyList<ServingSequenceState>? Sequences = null)
{
    public const int CurrentVersion = 1;

    public static PredictorModelState Empty { get; } = new(CurrentVersion, [], [], [], []);
}

/// <summary>Decayed counts of how often <see cref="To"/> completed after <see cref="From"/> invoked it, and its recent longest delay.</summary>
public sealed record SuccessorRateState(string From, string To, double Followed, double Offered, double DelayMs);

/// <summary>Decayed node counts of <see cref="Function"/>; null <see cref="PredecessorNode"/> or <see cref="Snapshot"/> marks a coarser level.</summary>
public sealed record PlacementState(string Function, string? PredecessorNode, int? Snapshot, IReadOnlyDictionary<string, double> Nodes);

/// <summary>The stream bundles (<c>workflowid/bundle</c>) <see cref="Function"/> read last time for <see cref="Camera"/>.</summary>
public sealed record CoReadSetState(string Function, string Camera, IReadOnlyList<string> Bundles);

/// <summary>Where a stream bundle was last written or read, and its size when known.</summary>
public sealed record BundleLocationState(StateRef Ref, long? Bytes);

/// <summary>The output bundle <see cref="Function"/> wrote in its last <see cref="Streak"/> runs, and its last size.</summary>
public sealed record OutputState(string Function, string Bundle, long? Bytes, int Streak);

/// <summary>Decayed count of <see cref="From"/>'s judged runs and of the runs each function followed.</summary>
public sealed record RunFollowsState(string From, double Runs, IReadOnlyDictionary<string, double> Followed);

/// <summary>
/// Where <see cref="Function"/> ran last (<see cref="Last"/> is true for that entry) and decayed counts of where it ran
/// next after running on <see cref="After"/>.
/// </summary>
public sealed record ServingSequenceState(string Function, string After, bool Last, IReadOnlyDictionary<string, double> Next);
