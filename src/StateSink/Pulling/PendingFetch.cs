using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// A fused fetch whose response headers have arrived (for a long poll: the bundles are written, or — when
/// <see cref="IsStreamed"/> — every one is written or being written item by item) and whose bundles have not been read
/// yet. Dispose it to release the connection.
/// </summary>
public sealed class PendingFetch : IDisposable
{
    private readonly HttpBundlePuller _puller;
    private readonly HttpResponseMessage _response;
    private readonly long _started;
    private int _read;

    internal PendingFetch(HttpBundlePuller puller, string node, IReadOnlyList<BundleFetch> fetches, HttpResponseMessage response, long started, bool streamed)
    {
        _puller = puller;
        Node = node;
        Fetches = fetches;
        _response = response;
        _started = started;
        IsStreamed = streamed;
    }

    /// <summary>
    /// The answer is format version 2: at least one bundle comes item by item as its producer writes it, so reading it
    /// takes as long as the producer does, not only the transfer.
    /// </summary>
    public bool IsStreamed { get; }

    public string Node { get; }

    public IReadOnlyList<BundleFetch> Fetches { get; }

    /// <summary>Reads and checks the answers, in the order of <see cref="Fetches"/>; callable once.</summary>
    public Task<IReadOnlyList<BundleWireEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _read, 1) != 0)
        {
            throw new InvalidOperationException("The answers of a fetch can be read only once.");
        }

        return _puller.ReadFetchAsync(Node, Fetches, _response, _started, cancellationToken);
    }

    /// <summary>
    /// Reads the answers entry by entry (any format version): each is checked and handed to <paramref name="onEntry"/>
    /// (with its position in <see cref="Fetches"/>) as soon as it is complete, so a bundle streamed while it was written
    /// is usable at its commit; its items go to <paramref name="receiver"/> as they arrive. Callable once; on a failure,
    /// the entries not handed out yet are lost and the exception says why.
    /// </summary>
    public Task ReadEachAsync(IStreamedBundleReceiver receiver, Action<int, BundleWireEntry> onEntry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(onEntry);
        if (Interlocked.Exchange(ref _read, 1) != 0)
        {
            throw new InvalidOperationException("The answers of a fetch can be read only once.");
        }

        return _puller.ReadEachAsync(Node, Fetches, _response, _started, receiver, onEntry, cancellationToken);
    }

    public void Dispose() => _response.Dispose();
}
