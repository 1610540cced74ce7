namespace Skylark.Events.Eventing.Policies;

/// <summary>
/// Whether a sender may deliver an event to a receiver, why (for the refusal's body and the log), and the EventPolicy
/// that decided it (null when no policy applied and the default authorization mode did).
/// </summary>
public readonly record struct PolicyDecision(bool Allowed, string Reason, string? Policy);
