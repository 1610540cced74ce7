namespace Skylark.Events.State;

public sealed record StateReadResult(Bundle Bundle, StateReadSource Source);
