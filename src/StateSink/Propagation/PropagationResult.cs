using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.StateSink.Propagation;

/// <summary>
/// The result of propagating a list of bundles. <see cref="Outcome"/> is a <see cref="PropagationOutcomes"/> value:
/// failed when any bundle failed, pulled when any moved, skipped when all were already current.
/// </summary>
public sealed record PropagationResult(string Outcome, long Bytes, TimeSpan Duration, string? Error, IReadOnlyList<BundlePropagation> Bundles)
{
    private const int MaxErrorsListed = 5;

    public static PropagationResult From(IReadOnlyList<BundlePropagation> bundles, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        var failed = bundles.Where(b => !b.Succeeded).ToList();
        var bytes = bundles.Sum(b => b.Bytes);
        if (failed.Count > 0)
        {
            var reasons = string.Join("; ", failed.Take(MaxErrorsListed).Select(b => $"{b.StateRef}: {b.Error}"));
            var more = failed.Count > MaxErrorsListed ? $"; and {failed.Count - MaxErrorsListed} more" : "";
            return new PropagationResult(
                PropagationOutcomes.Failed,
                bytes,
                duration,
                $"{failed.Count} of {bundles.Count} bundle(s) could not be propagated: {reasons}{more}",
                bundles);
        }

        var moved = bundles.Any(b => b.Outcome is BundlePropagationOutcome.Pulled or BundlePropagationOutcome.Joined);
        return new PropagationResult(moved ? PropagationOutcomes.Pulled : PropagationOutcomes.Skipped, bytes, duration, null, bundles);
    }

    /// <summary>A command refused before anything was done.</summary>
    public static PropagationResult Rejected(string reason) => new(PropagationOutcomes.Failed, 0, TimeSpan.Zero, reason, []);
}
