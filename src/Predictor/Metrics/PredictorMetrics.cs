using System.Diagnostics.Metrics;
using Skylark.Events.Hosting;

namespace Skylark.Events.Predictor.Metrics;

/// <summary>
/// The Predictor's metrics, on the meter <see cref="MeterName"/>: completions seen, propagate commands and their
/// bytes, prediction hits checked against the completions that follow, and decision latency (also over a bounded
/// window of recent decisions, for the percentiles of <see cref="Snapshot"/>). Thread-safe.
/// </summary>
public sealed class PredictorMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.Predictor";

    /// <summary>Decisions whose latency is kept for the percentiles.</summary>
    public const int LatencyWindow = 4096;

    private const string Completions = "skylark.predictor.completions";
    private const string Commands = "skylark.predictor.commands";
    private const string Bytes = "skylark.predictor.bytes";
    private const string Checked = "skylark.predictor.predictions.checked";
    private const string Correct = "skylark.predictor.predictions.correct";
    private const string Evicted = "skylark.predictor.steps.evicted";
    private const string Outcome = "outcome";
    private const string Kind = "kind";

    private readonly Lock _latencyGate = new();
    private readonly double[] _latenciesUs = new double[LatencyWindow];
    private long _latencyCount;
    private double _latencySumUs;
    private double _latencyMaxUs;

    private readonly Counter<long> _completions;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _checked;
    private readonly UpDownCounter<long> _correct;
    private readonly Counter<long> _evicted;
    private readonly Histogram<double> _decision;

    public PredictorMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory, instrument => instrument is not Histogram<double>)
    {
        _completions = Meter.CreateCounter<long>(Completions, "{event}", "Completions received, by outcome (decided, rejected as not a usable completion).");
        _commands = Meter.CreateCounter<long>(Commands, "{command}", "Propagate commands, by outcome (planned, lookahead: planned for an output not written yet, sent: accepted by the broker, failed).");
        _bytes = Meter.CreateCounter<long>(Bytes, "By", "Bundle bytes of propagate commands, by outcome (planned, sent).");
        _checked = Meter.CreateCounter<long>(Checked, "{prediction}", "Predictions checked against what ran next, by kind (function: the set of next functions; node: where a successor ran).");
        _correct = Meter.CreateUpDownCounter<long>(Correct, "{prediction}", "Of the checked predictions, those that were right, by kind; a late successor can change a verdict.");
        _evicted = Meter.CreateCounter<long>(Evicted, "{step}", "Steps dropped unresolved because too many were pending.");
        _decision = Meter.CreateHistogram<double>("skylark.predictor.decision.duration", "s", "Time to decide what to propagate for one completion.");
    }

    public void Rejected() => _completions.Add(1, new KeyValuePair<string, object?>(Outcome, "rejected"));

    public void Decided(int commands, long plannedBytes, TimeSpan latency, int lookAheadCommands = 0)
    {
        _completions.Add(1, new KeyValuePair<string, object?>(Outcome, "decided"));
        _commands.Add(commands, new KeyValuePair<string, object?>(Outcome, "planned"));
        _commands.Add(lookAheadCommands, new KeyValuePair<string, object?>(Outcome, "lookahead"));
        _bytes.Add(plannedBytes, new KeyValuePair<string, object?>(Outcome, "planned"));
        _decision.Record(latency.TotalSeconds);
        var us = latency.TotalMicroseconds;
        lock (_latencyGate)
        {
            _latenciesUs[_latencyCount % LatencyWindow] = us;
            _latencyCount++;
            _latencySumUs += us;
            _latencyMaxUs = Math.Max(_latencyMaxUs, us);
        }
    }

    public void NextFunctionChecked(bool correct) => Check("function", correct);

    /// <summary>A late successor changed the verdict on a step that was already counted.</summary>
    public void NextFunctionRejudged(bool wasCorrect, bool isCorrect)
    {
        if (wasCorrect != isCorrect)
        {
            _correct.Add(isCorrect ? 1 : -1, new KeyValuePair<string, object?>(Kind, "function"));
        }
    }

    public void NodeChecked(bool correct) => Check("node", correct);

    /// <summary>The broker ingress accepted a propagate command of <paramref name="bytes"/>.</summary>
    public void Sent(long bytes)
    {
        _commands.Add(1, new KeyValuePair<string, object?>(Outcome, "sent"));
        _bytes.Add(bytes, new KeyValuePair<string, object?>(Outcome, "sent"));
    }

    public void SendFailed() => _commands.Add(1, new KeyValuePair<string, object?>(Outcome, "failed"));

    public void StepsEvicted(int count) => _evicted.Add(count);

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
            Totals.Sum(Completions, (Outcome, "decided")),
            Totals.Sum(Completions, (Outcome, "rejected")),
            Totals.Sum(Commands, (Outcome, "planned")),
            Totals.Sum(Bytes, (Outcome, "planned")),
            Totals.Sum(Commands, (Outcome, "sent")),
            Totals.Sum(Bytes, (Outcome, "sent")),
            Totals.Sum(Commands, (Outcome, "failed")),
            Totals.Sum(Checked, (Kind, "function")),
            Totals.Sum(Correct, (Kind, "function")),
            Totals.Sum(Checked, (Kind, "node")),
            Totals.Sum(Correct, (Kind, "node")),
            Totals.Sum(Evicted),
            latency,
            Totals.Sum(Commands, (Outcome, "lookahead")));
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private void Check(string kind, bool correct)
    {
        _checked.Add(1, new KeyValuePair<string, object?>(Kind, kind));
        if (correct)
        {
            _correct.Add(1, new KeyValuePair<string, object?>(Kind, kind));
        }
    }
}
