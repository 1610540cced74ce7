using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>Reads bundles wherever they are, telling the caller where they came from.</summary>
public interface IStateReader
{
    /// <exception cref="StateNotFoundException">Neither this node nor the StateRef's node holds the bundle.</exception>
    /// <exception cref="StateUnavailableException">The bundle could not be pulled (failure, timeout, too many pulls).</exception>
    Task<StateReadResult> ReadAsync(StateRef stateRef, CancellationToken cancellationToken = default);

    /// <summary>Reads several bundles with as few round trips as possible; results in input order, all or an exception.</summary>
    Task<IReadOnlyList<StateReadResult>> ReadManyAsync(IReadOnlyList<StateRef> stateRefs, CancellationToken cancellationToken = default);
}
