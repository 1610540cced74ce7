using Skylark.Events.Contracts;

namespace Skylark.Events.State.Wire;

/// <summary>
/// Where a <see cref="BundleWireReader"/> puts the items of streamed entries (<see cref="BundleWireStatus.Streamed"/>) as
/// they arrive, so a receiver never holds a whole bundle: e.g. staging them in its Redis and committing at the end.
/// </summary>
public interface IStreamedBundleReceiver
{
    /// <summary>
    /// A streamed entry begins (entry <paramref name="index"/> of the stream). The target gets every item, then the
    /// commit once the reader has checked the item count and size; on an abort, a broken or an invalid stream it is
    /// disposed without a commit and must keep nothing.
    /// </summary>
    /// <exception cref="BundleWireFormatException">The entry is not one the receiver asked for.</exception>
    ValueTask<IStreamedBundleTarget> BeginAsync(int index, StateRef stateRef, CancellationToken cancellationToken);
}

/// <summary>One streamed entry being received (see <see cref="IStreamedBundleReceiver"/>). Disposing it without a commit discards it.</summary>
public interface IStreamedBundleTarget : IAsyncDisposable
{
    /// <param name="name">A valid, new item name (the reader checked it).</param>
    /// <param name="value">Owned by the target from now on.</param>
    /// <param name="cancellationToken">Ends the transfer.</param>
    ValueTask AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>The stream's commit: every item has arrived, and count and size match what the sender counted.</summary>
    ValueTask CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken);
}
