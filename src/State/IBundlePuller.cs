using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>Fetches a bundle from the node that holds it (the StateSink implements this over HTTP).</summary>
public interface IBundlePuller
{
    /// <summary>The bundle <paramref name="source"/> names, from node <see cref="StateRef.Node"/>; null when that node does not hold it.</summary>
    Task<Bundle?> PullAsync(StateRef source, CancellationToken cancellationToken);

    /// <summary>
    /// Several bundles that all live on <paramref name="node"/>, in input order (null where missing). Implementations
    /// should fetch them in one round trip; this default pulls them one by one, concurrently.
    /// </summary>
    async Task<IReadOnlyList<Bundle?>> PullManyAsync(string node, IReadOnlyList<StateRef> sources, CancellationToken cancellationToken) =>
        await Task.WhenAll(sources.Select(source => PullAsync(source, cancellationToken))).ConfigureAwait(false);
}
