namespace Skylark.Events.Contracts.Payloads;

/// <summary>Data of <c>io.skylark.state.propagated</c>, the StateSink's reply to a propagate command.</summary>
public sealed record StatePropagated(
    IReadOnlyList<StateRef> Bundles,
    string From,
    string To,
    long Bytes,
    double DurationMs,
    string Outcome,
    string? Error);

/// <summary>Values of <see cref="StatePropagated.Outcome"/>.</summary>
public static class PropagationOutcomes
{
    /// <summary>Every listed bundle is now current on the target node.</summary>
    public const string Pulled = "pulled";

    /// <summary>The target already held current copies; nothing moved.</summary>
    public const string Skipped = "skipped";

    /// <summary>The command was rejected or a pull failed; see <see cref="StatePropagated.Error"/>.</summary>
    public const string Failed = "failed";
}
