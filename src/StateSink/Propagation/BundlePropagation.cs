using Skylark.Events.Contracts;

namespace Skylark.Events.StateSink.Propagation;

/// <summary>What propagation did for one bundle.</summary>
public enum BundlePropagationOutcome
{
    /// <summary>This propagation pulled it and stored a new local copy.</summary>
    Pulled,

    /// <summary>A pull of it already in flight on this node (a reader's or another propagation's) brought it.</summary>
    Joined,

    /// <summary>The local copy was already current (or newer); nothing moved.</summary>
    Current,

    /// <summary>It is not here; see <see cref="BundlePropagation.Error"/>.</summary>
    Failed,
}

/// <summary>The result for one bundle of a propagation; <see cref="Bytes"/> is what this propagation transferred for it.</summary>
public sealed record BundlePropagation(StateRef StateRef, BundlePropagationOutcome Outcome, long Bytes = 0, string? Error = null)
{
    public bool Succeeded => Outcome != BundlePropagationOutcome.Failed;
}
