namespace Skylark.Events.Broker.Sources;

/// <summary>How one ping event's delivery ended.</summary>
/// <param name="Acknowledged">The sink answered 2xx.</param>
/// <param name="StatusCode">The last HTTP status, or null when the sink never answered.</param>
/// <param name="Attempts">Attempts made, retries included.</param>
/// <param name="Error">Why the last attempt failed; null when acknowledged.</param>
internal readonly record struct PingDelivery(bool Acknowledged, int? StatusCode, int Attempts, string? Error);
