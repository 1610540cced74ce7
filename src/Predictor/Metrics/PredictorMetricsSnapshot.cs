namespace Skylark.Events.Predictor.Metrics;

/// <summary>Counts since start (see <see cref="PredictorMetrics"/>); bytes are bundle bytes, not event bytes.</summary>
/// <param name="Completions">Completions decided on.</param>
/// <param name="Rejected">Events refused with 400 (not completions, or malformed).</param>
/// <param name="PropagateCommands">Propagate commands planned.</param>
/// <param name="PlannedBytes">Bundle bytes those commands ask to move.</param>
/// <param name="Sent">Commands the broker ingress accepted.</param>
/// <param name="PropagatedBytes">Bundle bytes of the accepted commands.</param>
/// <param name="SendFailures">Commands the ingress refused or that could not be delivered.</param>
/// <param name="NextFunctionChecked">Completions whose successors were resolved (arrived, or the window passed).</param>
/// <param name="NextFunctionCorrect">Of those, how many had exactly the predicted set of next functions.</param>
/// <param name="NodeChecked">Successor completions for which a node had been predicted.</param>
/// <param name="NodeCorrect">Of those, how many ran on the predicted node.</param>
/// <param name="EvictedSteps">Steps dropped unresolved because too many were pending.</param>
/// <param name="DecisionLatency">Time per decision.</param>
/// <param name="LookAheadCommands">Of <paramref name="PropagateCommands"/>, those for an output not written yet (<c>awaitWrite</c>).</param>
public sealed record PredictorMetricsSnapshot(
    long Completions,
    long Rejected,
    long PropagateCommands,
    long PlannedBytes,
    long Sent,
    long PropagatedBytes,
    long SendFailures,
    long NextFunctionChecked,
    long NextFunctionCorrect,
    long NodeChecked,
    long NodeCorrect,
    long EvictedSteps,
    LatencySummary DecisionLatency,
    long LookAheadCommands = 0)
{
    /// <summary>Fraction of checked completions whose next functions were predicted exactly; null before any.</summary>
    public double? NextFunctionAccuracy => NextFunctionChecked == 0 ? null : (double)NextFunctionCorrect / NextFunctionChecked;

    /// <summary>Fraction of checked successors that ran on the predicted node; null before any.</summary>
    public double? NodeAccuracy => NodeChecked == 0 ? null : (double)NodeCorrect / NodeChecked;
}

/// <summary>Decision latency in microseconds: mean and max over all decisions, percentiles over the recent window.</summary>
public sealed record LatencySummary(long Count, double MeanMicroseconds, double P50Microseconds, double P99Microseconds, double MaxMicroseconds);
