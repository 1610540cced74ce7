namespace Skylark.Events.Broker.Ingress;

internal enum IngressStatus
{
    Accepted,
    TtlExhausted,
    QueueFull,
    Stopping,
    Recovering,
    JournalUnavailable,
}

/// <summary>What the ingress did with one event; <see cref="Message"/> explains a refusal.</summary>
internal readonly record struct IngressResult(IngressStatus Status, int Triggers, string Message)
{
    /// <summary>The HTTP status Knative's ingress answers (and a reply's delivery attempt reports).</summary>
    public int HttpStatus => Status switch
    {
        IngressStatus.Accepted => StatusCodes.Status202Accepted,
        IngressStatus.TtlExhausted => StatusCodes.Status400BadRequest,
        IngressStatus.QueueFull => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };
}
