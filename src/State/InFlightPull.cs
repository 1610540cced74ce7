namespace Skylark.Events.State;

/// <summary>A pull registered in <see cref="InFlightPulls"/>; <see cref="Joined"/> when the caller shares one started earlier.</summary>
public readonly record struct InFlightPull(Task<Bundle?> Task, bool Joined);
