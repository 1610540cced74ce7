using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// A fused fetch whose response headers have arrived (for a long poll: the bundles are written) and whose bundles
/// have not been read yet. Dispose it to release the connection.
/// </summary>
public sealed class PendingFetch : IDisposable
{
    private readonly HttpBundlePuller _puller;
    private readonly HttpResponseMessage _response;
    private readonly long _started;
    private int _read;

    internal PendingFetch(HttpBundlePuller puller, string node, IReadOnlyList<BundleFetch> fetches, HttpResponseMessage response, long started)
    {
        _puller = puller;
        Node = node;
        Fetches = fetches;
        _response = response;
        _started = started;
    }

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

    public void Dispose() => _response.Dispose();
}
