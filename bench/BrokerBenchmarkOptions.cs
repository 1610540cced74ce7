namespace Skylark.Events.Benchmarks;

/// <summary>What <see cref="BrokerBenchmark"/> measures and how hard it pushes.</summary>
public sealed record BrokerBenchmarkOptions
{
    /// <summary>Events sent per repetition (each scenario sends the same number).</summary>
    public int Events { get; init; } = 20_000;

    /// <summary>Concurrent senders sharing one <see cref="HttpClient"/>.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Measured repetitions per scenario, after one unmeasured warm-up.</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>Events of the warm-up repetition (JIT, connection pools, tiered compilation).</summary>
    public int WarmupEvents { get; init; } = 5_000;

    /// <summary>Warm-up rounds of <see cref="WarmupEvents"/> are repeated until this much time has passed.</summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Deliveries in flight per Trigger; null matches <see cref="Concurrency"/>, so the broker may have as many
    /// requests outstanding towards its subscriber as the senders have towards it.
    /// </summary>
    public int? WorkersPerTrigger { get; init; }

    /// <summary>Bytes of JSON data per event.</summary>
    public int PayloadBytes { get; init; } = 256;

    /// <summary>Broker scenarios: how many Triggers (all matching, each with its own subscriber path) per run.</summary>
    public IReadOnlyList<int> TriggerCounts { get; init; } = [1, 10];

    /// <summary>
    /// Broker scenarios with the durable journal on (every 202 after an fsync), measured in the same run as the
    /// others; empty to skip them.
    /// </summary>
    public IReadOnlyList<int> JournalTriggerCounts { get; init; } = [1];

    /// <summary>Where the journal scenarios put their (temporary, deleted afterwards) journals; null: the temp folder.</summary>
    public string? JournalDirectory { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Events, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Repetitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupEvents);
        ArgumentOutOfRangeException.ThrowIfLessThan(WarmupDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(PayloadBytes);
        if (WorkersPerTrigger is { } workers)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1, nameof(WorkersPerTrigger));
        }

        ArgumentNullException.ThrowIfNull(TriggerCounts);
        if (TriggerCounts.Count == 0 || TriggerCounts.Any(c => c < 1))
        {
            throw new ArgumentException("Give at least one trigger count, each at least 1.", nameof(TriggerCounts));
        }

        ArgumentNullException.ThrowIfNull(JournalTriggerCounts);
        if (JournalTriggerCounts.Any(c => c < 1))
        {
            throw new ArgumentException("Each journal trigger count must be at least 1.", nameof(JournalTriggerCounts));
        }
    }
}
