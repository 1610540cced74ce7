namespace Skylark.Events.State;

/// <summary>What <see cref="BundleStore.PutCopyAsync"/> did, and the version the local store holds afterwards.</summary>
public readonly record struct PutCopyResult(PutCopyOutcome Outcome, long LocalVersion)
{
    public bool Written => Outcome == PutCopyOutcome.Written;
}
