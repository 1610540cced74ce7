namespace Skylark.Events.Benchmarks;

/// <summary>Median and spread of one measure over the repetitions of a scenario.</summary>
public sealed record BenchmarkStatistic(double Median, double Min, double Max)
{
    public static BenchmarkStatistic Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new BenchmarkStatistic(double.NaN, double.NaN, double.NaN);
        }

        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new BenchmarkStatistic(median, sorted[0], sorted[^1]);
    }

    /// <summary>(max − min) / median: how far apart the repetitions were.</summary>
    public double RelativeSpread => Median == 0 ? double.NaN : (Max - Min) / Median;
}

/// <summary>
/// One measured repetition. For the broker, <see cref="EventsPerSecond"/> counts events sent until every Trigger's
/// subscriber received them, and the latency runs from the moment a sender started the POST to the ingress to the
/// moment a subscriber had the event (queueing included). For the bare endpoint, both come from the 202 round trip.
/// </summary>
public sealed record BenchmarkRepetition(
    int Events,
    int Deliveries,
    TimeSpan Elapsed,
    double EventsPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double RequestP50Ms,
    double RequestP99Ms,
    int Throttled);

/// <summary>
/// A scenario: the bare endpoint (<see cref="Triggers"/> = 0) or the broker with that many matching Triggers,
/// <see cref="Journaled"/> when its durable journal was on.
/// </summary>
public sealed record BenchmarkScenario(
    string Name,
    int Triggers,
    IReadOnlyList<BenchmarkRepetition> Repetitions,
    bool Journaled = false)
{
    /// <summary>True when the broker verified each sender's bearer token and applied an EventPolicy to each event.</summary>
    public bool Verified { get; init; }

    /// <summary>True when an in-memory trace store listened, as under <c>skylark up</c>: the broker started its spans.</summary>
    public bool Traced { get; init; }

    /// <summary>How many new traces a second the traced scenario's store recorded at most; null for every one (or untraced).</summary>
    public double? TracesPerSecond { get; init; }

    /// <summary>The most traces one traced repetition kept (its store holds at most 2,000); 0 when not traced.</summary>
    public int TracesKept { get; init; }

    /// <summary>New traces the traced repetitions did not record, being beyond <see cref="TracesPerSecond"/>.</summary>
    public long TracesNotSampled { get; init; }

    public BenchmarkStatistic EventsPerSecond { get; } = BenchmarkStatistic.Of(Repetitions.Select(r => r.EventsPerSecond));

    public BenchmarkStatistic LatencyP50Ms { get; } = BenchmarkStatistic.Of(Repetitions.Select(r => r.LatencyP50Ms));

    public BenchmarkStatistic LatencyP99Ms { get; } = BenchmarkStatistic.Of(Repetitions.Select(r => r.LatencyP99Ms));

    /// <summary>The ingress (or bare endpoint) POST → 202 round trip.</summary>
    public BenchmarkStatistic RequestP50Ms { get; } = BenchmarkStatistic.Of(Repetitions.Select(r => r.RequestP50Ms));

    public BenchmarkStatistic RequestP99Ms { get; } = BenchmarkStatistic.Of(Repetitions.Select(r => r.RequestP99Ms));

    /// <summary>429 answers from a full Trigger queue, each retried by the sender after a backoff of 1 ms doubling up to 32 ms.</summary>
    public int Throttled { get; } = Repetitions.Sum(r => r.Throttled);
}

/// <summary>Where the benchmark ran.</summary>
public sealed record BenchmarkMachine(int ProcessorCount, string OperatingSystem, string Runtime, bool ServerGarbageCollection, string Configuration);

/// <summary>Everything one <see cref="BrokerBenchmark.RunAsync"/> measured.</summary>
public sealed record BrokerBenchmarkReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    BenchmarkMachine Machine,
    BrokerBenchmarkOptions Options,
    BenchmarkScenario BareEndpoint,
    IReadOnlyList<BenchmarkScenario> Broker,
    BenchmarkScenario MinimalRelay)
{
    /// <summary>The broker with one Trigger and nothing added (no journal, sender identity or span recording): every ratio's reference.</summary>
    private BenchmarkScenario? PlainOneTrigger => Broker.FirstOrDefault(b => b.Triggers == 1 && !b.Journaled && !b.Verified && !b.Traced);

    /// <summary>Median broker throughput with one Trigger over the median bare-endpoint throughput (a figure, no target: two HTTP exchanges against one).</summary>
    public double OneTriggerThroughputRatio =>
        PlainOneTrigger is { } one ? one.EventsPerSecond.Median / BareEndpoint.EventsPerSecond.Median : double.NaN;

    /// <summary>Median throughput of the minimal two-hop relay over the bare endpoint's: what two HTTP exchanges per event allow here.</summary>
    public double RelayThroughputRatio => MinimalRelay.EventsPerSecond.Median / BareEndpoint.EventsPerSecond.Median;

    /// <summary>
    /// <c>brokerThroughputVsMinimalRelay</c>: median broker throughput with one Trigger over the minimal relay's, the
    /// share of the two-hop ceiling the broker reaches (target ≥ 0.9).
    /// </summary>
    public double OneTriggerVsRelayRatio =>
        PlainOneTrigger is { } one ? one.EventsPerSecond.Median / MinimalRelay.EventsPerSecond.Median : double.NaN;

    /// <summary>Median throughput of the journaled broker with one Trigger over the bare endpoint's.</summary>
    public double DurableThroughputRatio =>
        Broker.FirstOrDefault(b => b.Triggers == 1 && b.Journaled && !b.Verified) is { } durable ? durable.EventsPerSecond.Median / BareEndpoint.EventsPerSecond.Median : double.NaN;

    /// <summary>
    /// <c>durableBrokerThroughputVsBroker</c>: median throughput of the journaled broker with one Trigger over the
    /// broker's without the journal, both measured side by side (target ≥ 0.8); what durability costs.
    /// </summary>
    public double DurableVsOneTriggerRatio =>
        Broker.FirstOrDefault(b => b.Triggers == 1 && b.Journaled && !b.Verified) is { } durable
        && PlainOneTrigger is { } one
            ? durable.EventsPerSecond.Median / one.EventsPerSecond.Median
            : double.NaN;

    /// <summary>
    /// <c>identifiedBrokerThroughputVsBroker</c>: median throughput of the broker verifying every sender's token and
    /// applying an EventPolicy, over the same broker's without sender identity, both with one Trigger, side by side.
    /// </summary>
    public double IdentifiedVsOneTriggerRatio =>
        Broker.FirstOrDefault(b => b.Triggers == 1 && b.Verified) is { } identified
        && PlainOneTrigger is { } one
            ? identified.EventsPerSecond.Median / one.EventsPerSecond.Median
            : double.NaN;

    /// <summary>
    /// <c>tracedBrokerThroughputVsBroker</c>: median throughput of the broker traced as <c>skylark up</c> traces it (at
    /// most <see cref="Lab.Observability.TraceStore.DefaultNewTracesPerSecond"/> new traces a second recorded, one
    /// unrecorded span for each of the others) over the same broker's untraced, both with one Trigger, side by side;
    /// what tracing costs the broker.
    /// </summary>
    public double TracedVsOneTriggerRatio =>
        Broker.FirstOrDefault(b => b.Triggers == 1 && b.Traced && b.TracesPerSecond is not null) is { } traced
        && PlainOneTrigger is { } one
            ? traced.EventsPerSecond.Median / one.EventsPerSecond.Median
            : double.NaN;

    /// <summary>
    /// <c>everyTraceBrokerThroughputVsBroker</c>: the same with every trace recorded (<c>--traces-per-second all</c>):
    /// what keeping every event's spans costs at full speed.
    /// </summary>
    public double EveryTraceVsOneTriggerRatio =>
        Broker.FirstOrDefault(b => b.Triggers == 1 && b.Traced && b.TracesPerSecond is null) is { } traced
        && PlainOneTrigger is { } one
            ? traced.EventsPerSecond.Median / one.EventsPerSecond.Median
            : double.NaN;
}
