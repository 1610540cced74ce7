namespace Skylark.Events.Predictor.Metrics;

/// <summary>
/// Counters of the Predictor: completions seen, propagate commands and their bytes, prediction accuracy checked
/// against the completions that follow, and decision latency over a bounded window of recent decisions.
/// Thread-safe.
/// </summary>
public sealed class PredictorMetrics
{
    public const string MeterName = "Skylark.Events.Predictor";

    /// <summary>Decisions whose latency is kept for the percentiles.</summary>
    public const int LatencyWindow = 4096;

    private readonly Lock _latencyGate = new();
    private readonly double[] _latenciesUs = new double[LatencyWindow];
    private long _latencyCount;
    private double _latencySumUs;
    private double _latencyMaxUs;

    private long _completions;
    private long _rejected;
    private long _commands;
    private long _plannedBytes;
    private long _sent;
    private long _propagatedBytes;
    private long _sendFailures;
    private long _nextFunctionChecked;
    private long _nextFunctionCorrect;
    private long _nodeChecked;
    private long _nodeCorrect;
    private long _evictedSteps;
    private long _lookAheadCommands;

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Decided(int commands, long plannedBytes, TimeSpan latency, int lookAheadCommands = 0)
    {
        Interlocked.Increment(ref _completions);
        Interlocked.Add(ref _lookAheadCommands, lookAheadCommands);
        Interlocked.Add(ref _commands, commands);
        Interlocked.Add(ref _plannedBytes, plannedBytes);
        var us = latency.TotalMicroseconds;
        lock (_latencyGate)
        {
            _latenciesUs[_latencyCount % LatencyWindow] = us;
            _latencyCount++;
            _latencySumUs += us;
            _latencyMaxUs = Math.Max(_latencyMaxUs, us);
        }
    }

    public void NextFunctionChecked(bool correct)
    {
        Interlocked.Increment(ref _nextFunctionChecked);
        if (correct)
        {
            Interlocked.Increment(ref _nextFunctionCorrect);
        }
    }

    /// <summary>A late successor changed the verdict on a step that was already counted.</summary>
    public void NextFunctionRejudged(bool wasCorrect, bool isCorrect)
    {
        if (wasCorrect != isCorrect)
        {
            Interlocked.Add(ref _nextFunctionCorrect, isCorrect ? 1 : -1);
        }
    }

    public void NodeChecked(bool correct)
    {
        Interlocked.Increment(ref _nodeChecked);
        if (correct)
        {
            Interlocked.Increment(ref _nodeCorrect);
        }
    }

    /// <summary>The broker ingress accepted a propagate command of <paramref name="bytes"/>.</summary>
    public void Sent(long bytes)
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _propagatedBytes, bytes);
    }

    public void SendFailed() => Interlocked.Increment(ref _sendFailures);

    public void StepsEvicted(int count) => Interlocked.Add(ref _evictedSteps, count);

    public PredictorMetricsSnapshot Snapshot()
    {
        LatencySummary latency;
        lock (_latencyGate)
        {
            var kept = (int)Math.Min(_latencyCount, LatencyWindow);
            var window = _latenciesUs.AsSpan(0, kept).ToArray();
            Array.Sort(window);
            latency = new LatencySummary(
                _latencyCount,
                _latencyCount == 0 ? 0 : _latencySumUs / _latencyCount,
                Percentile(window, 0.50),
                Percentile(window, 0.99),
                _latencyMaxUs);
        }

        return new PredictorMetricsSnapshot(
            Interlocked.Read(ref _completions),
            Interlocked.Read(ref _rejected),
            Interlocked.Read(ref _commands),
            Interlocked.Read(ref _plannedBytes),
            Interlocked.Read(ref _sent),
            Interlocked.Read(ref _propagatedBytes),
            Interlocked.Read(ref _sendFailures),
            Interlocked.Read(ref _nextFunctionChecked),
            Interlocked.Read(ref _nextFunctionCorrect),
            Interlocked.Read(ref _nodeChecked),
            Interlocked.Read(ref _nodeCorrect),
            Interlocked.Read(ref _evictedSteps),
            latency,
            Interlocked.Read(ref _lookAheadCommands));
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
