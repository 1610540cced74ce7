namespace Skylark.Events.Broker;

/// <summary>Process-wide broker counters, cheap enough to bump on every event.</summary>
public sealed class BrokerMetrics
{
    private long accepted;
    private long rejected;
    private long delivered;
    private long retried;
    private long deadLettered;
    private long dropped;
    private long replies;

    /// <summary>Events the ingress took (from producers and replies), counted once however many Triggers matched.</summary>
    public long Accepted => Interlocked.Read(ref accepted);

    /// <summary>Events the ingress refused: invalid, unknown broker, too large, TTL exhausted, queue full, stopping.</summary>
    public long Rejected => Interlocked.Read(ref rejected);

    /// <summary>Deliveries a subscriber answered with 2xx.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Attempts made again after a retryable failure.</summary>
    public long Retried => Interlocked.Read(ref retried);

    /// <summary>Failed deliveries a dead letter sink accepted.</summary>
    public long DeadLettered => Interlocked.Read(ref deadLettered);

    /// <summary>Failed deliveries lost: no dead letter sink, or it failed too.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Reply events that re-entered a broker.</summary>
    public long Replies => Interlocked.Read(ref replies);

    internal void OnAccepted() => Interlocked.Increment(ref accepted);

    internal void OnRejected() => Interlocked.Increment(ref rejected);

    internal void OnDelivered() => Interlocked.Increment(ref delivered);

    internal void OnRetried() => Interlocked.Increment(ref retried);

    internal void OnDeadLettered() => Interlocked.Increment(ref deadLettered);

    internal void OnDropped() => Interlocked.Increment(ref dropped);

    internal void OnReply() => Interlocked.Increment(ref replies);
}
