using System.Diagnostics;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// Which spans a <see cref="TraceStore"/> records, decided when each starts (head sampling), as OpenTelemetry's
/// parent-based sampler does with a rate-limited root: a span with a parent follows the parent's sampled flag, so a
/// trace is kept whole or not at all; a new trace is recorded while fewer than <see cref="NewTracesPerSecond"/> began
/// in the last second (a token bucket holding one second's worth, at least one trace). A new trace not recorded still
/// gets its root span, unrecorded, whose context (flag <c>00</c>) the event carries on; a span whose parent is not
/// recorded is not started at all, and every service gives an event it makes in answer to one without a span of its
/// own the context that one carried (<see cref="Contracts.CloudEventTracing.SetContext"/>). So a trace not recorded
/// costs one span at its start and no more: none is ambient while a service sends over HTTP, where
/// <c>HttpClient</c> would start one of its own under it.
/// </summary>
public sealed class TraceSampler
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;

    // What the bucket holds when full: one second's worth, and at least one trace so a rate below 1/s still records.
    private readonly double burst;
    private double tokens;
    private long refilledAt;
    private long notSampled;

    /// <param name="newTracesPerSecond">How many new traces a second are recorded; null records every one.</param>
    /// <param name="timeProvider">The clock the bucket refills by.</param>
    public TraceSampler(double? newTracesPerSecond, TimeProvider? timeProvider = null)
    {
        if (newTracesPerSecond is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate, nameof(newTracesPerSecond));
            ArgumentOutOfRangeException.ThrowIfEqual(double.IsFinite(rate), false, nameof(newTracesPerSecond));
        }

        NewTracesPerSecond = newTracesPerSecond;
        time = timeProvider ?? TimeProvider.System;
        burst = Math.Max(newTracesPerSecond ?? 0, 1);
        tokens = burst;
        refilledAt = time.GetTimestamp();
    }

    /// <summary>How many new traces a second are recorded at most; null when every trace is.</summary>
    public double? NewTracesPerSecond { get; }

    /// <summary>How many new traces were not recorded because the rate was reached.</summary>
    public long NotSampled => Interlocked.Read(ref notSampled);

    /// <summary>The decision for a span about to start (an <see cref="ActivityListener.Sample"/>).</summary>
    public ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        if (options.Parent != default)
        {
            return (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.None;
        }

        if (TryStartTrace())
        {
            return ActivitySamplingResult.AllDataAndRecorded;
        }

        Interlocked.Increment(ref notSampled);
        return ActivitySamplingResult.PropagationData;
    }

    private bool TryStartTrace()
    {
        if (NewTracesPerSecond is not { } rate)
        {
            return true;
        }

        lock (gate)
        {
            var now = time.GetTimestamp();
            tokens = Math.Min(burst, tokens + (time.GetElapsedTime(refilledAt, now).TotalSeconds * rate));
            refilledAt = now;
            if (tokens < 1)
            {
                return false;
            }

            tokens--;
            return true;
        }
    }
}
