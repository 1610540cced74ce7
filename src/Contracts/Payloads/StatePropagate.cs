namespace Skylark.Events.Contracts.Payloads;

/// <summary>Data of <c>io.skylark.state.propagate</c>: pull <see cref="Bundles"/> from <see cref="From"/> to <see cref="To"/> before <see cref="Function"/> runs.</summary>
public sealed record StatePropagate(
    IReadOnlyList<StateRef> Bundles,
    string From,
    string To,
    string Function,
    double Probability,
    DateTimeOffset Deadline);
