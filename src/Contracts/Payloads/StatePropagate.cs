namespace Skylark.Events.Contracts.Payloads;

/// <summary>Data of <c>io.skylark.state.propagate</c>: pull <see cref="Bundles"/> from <see cref="From"/> to <see cref="To"/> before <see cref="Function"/> runs.</summary>
/// <param name="Bundles">The bundles to pull, all held by <paramref name="From"/>.</param>
/// <param name="From">The node holding them.</param>
/// <param name="To">The node whose StateSink pulls them (the event's <c>targetnode</c>).</param>
/// <param name="Function">The function expected to read them on <paramref name="To"/>.</param>
/// <param name="Probability">How likely the Predictor thinks that is.</param>
/// <param name="Deadline">When the command stops being worth carrying out.</param>
/// <param name="AwaitWrite">
/// The bundles are the output of a function still running on <paramref name="From"/>: the target registers its pull
/// at once and the holder answers it the moment they are written (until <paramref name="Deadline"/>), so the bytes
/// start moving when the write ends, not when the completion has crossed the broker.
/// </param>
public sealed record StatePropagate(
    IReadOnlyList<StateRef> Bundles,
    string From,
    string To,
    string Function,
    double Probability,
    DateTimeOffset Deadline,
    bool AwaitWrite = false);
