using System.Diagnostics.Metrics;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker;

/// <summary>
/// The broker's metrics, on the meter <see cref="MeterName"/>. Latencies use Knative Eventing's instruments and
/// attributes, so dashboards built for Knative's brokers read these too: <c>kn.eventing.dispatch.duration</c> (the
/// ingress taking an event; each delivery attempt to a subscriber) and <c>kn.eventing.process.duration</c> (an
/// event's wait in the broker before its delivery starts), with <c>kn.broker.name</c>, <c>kn.broker.namespace</c>,
/// <c>kn.trigger.name</c> and <c>http.response.status_code</c>. What happened to events is counted by outcome on
/// <c>skylark.broker.events</c>; the properties read those counts. <c>skylark.broker.waiting</c> is, per Trigger, the
/// events its subscriber has not yet taken: queued, and held by a worker (being sent or backing off between retries).
/// </summary>
public sealed class BrokerMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.Broker";

    private const string Events = "skylark.broker.events";
    private const string Outcome = "outcome";

    /// <summary>Knative's bucket boundaries (seconds) for both durations, so histograms aggregate with theirs.</summary>
    private static readonly double[] LatencyBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Counter<long> _events;
    private readonly Histogram<double> _dispatch;
    private readonly Histogram<double> _process;

    public BrokerMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory, instrument => instrument.Name == Events)
    {
        _events = Meter.CreateCounter<long>(Events, "{event}", "What happened to events: accepted, rejected, delivered, retried, dead_lettered, dropped, replied.");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds };
        _dispatch = Meter.CreateHistogram("kn.eventing.dispatch.duration", "s", "The duration to dispatch the event", tags: null, advice);
        _process = Meter.CreateHistogram("kn.eventing.process.duration", "s", "The duration of processing an event before dispatching it", tags: null, advice);
    }

    /// <summary>Events the ingress took (from producers and replies), counted once however many Triggers matched.</summary>
    public long Accepted => Count("accepted");

    /// <summary>Events the ingress refused: invalid, unknown broker, too large, TTL exhausted, queue full, stopping.</summary>
    public long Rejected => Count("rejected");

    /// <summary>Deliveries a subscriber answered with 2xx.</summary>
    public long Delivered => Count("delivered");

    /// <summary>Attempts made again after a retryable failure.</summary>
    public long Retried => Count("retried");

    /// <summary>Failed deliveries a dead letter sink accepted.</summary>
    public long DeadLettered => Count("dead_lettered");

    /// <summary>Failed deliveries lost: no dead letter sink, or it failed too.</summary>
    public long Dropped => Count("dropped");

    /// <summary>Reply events that re-entered a broker.</summary>
    public long Replies => Count("replied");

    internal void OnAccepted() => Add("accepted");

    internal void OnRejected() => Add("rejected");

    internal void OnDelivered() => Add("delivered");

    internal void OnRetried() => Add("retried");

    internal void OnDeadLettered() => Add("dead_lettered");

    internal void OnDropped() => Add("dropped");

    internal void OnReply() => Add("replied");

    /// <summary>The ingress answered a producer (or took a reply) after <paramref name="duration"/>.</summary>
    internal void Ingested(string @namespace, string broker, int statusCode, TimeSpan duration) =>
        _dispatch.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("kn.broker.namespace", @namespace),
            new KeyValuePair<string, object?>("kn.broker.name", broker),
            new KeyValuePair<string, object?>("http.response.status_code", statusCode));

    /// <summary>One attempt to deliver to a Trigger's subscriber ended with <paramref name="statusCode"/> (0: no response).</summary>
    internal void Dispatched(string @namespace, string broker, string trigger, int statusCode, TimeSpan duration) =>
        _dispatch.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("kn.broker.namespace", @namespace),
            new KeyValuePair<string, object?>("kn.broker.name", broker),
            new KeyValuePair<string, object?>("kn.trigger.name", trigger),
            new KeyValuePair<string, object?>("http.response.status_code", statusCode));

    /// <summary>An event waited <paramref name="duration"/> in a Trigger's queue before its delivery started.</summary>
    internal void Processed(string @namespace, string broker, string trigger, TimeSpan duration) =>
        _process.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("kn.broker.namespace", @namespace),
            new KeyValuePair<string, object?>("kn.broker.name", broker),
            new KeyValuePair<string, object?>("kn.trigger.name", trigger));

    /// <summary>Publishes each Trigger's waiting events, read from <paramref name="observe"/> at every collection.</summary>
    internal void ObserveWaiting(Func<IEnumerable<Measurement<int>>> observe) =>
        Meter.CreateObservableGauge(
            "skylark.broker.waiting",
            observe,
            "{event}",
            "Events a Trigger holds that its subscriber has not yet taken: queued, being sent, or backing off between retries.");

    private long Count(string outcome) => Totals.Sum(Events, (Outcome, outcome));

    private void Add(string outcome) => _events.Add(1, new KeyValuePair<string, object?>(Outcome, outcome));
}
