using System.Net;
using System.Net.Http.Headers;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Peer;

namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// Pulls bundles from other nodes' sinks over their peer API: one bundle with <c>GET /peer/bundles/{workflowId}/{bundle}</c>,
/// several from one node in one round trip with <c>POST /peer/bundles:fetch</c>. It is the node's
/// <see cref="IBundlePuller"/>, so function reads (through <see cref="TieredStateReader"/>) and the sink's own
/// propagation use the same transport. Every bundle it returns is complete (the wire format is length-checked)
/// and noted in the <see cref="CopyLedger"/>, if one is given.
/// </summary>
public sealed class HttpBundlePuller : IBundlePuller, IDisposable
{
    private const int ErrorBodyLimit = 512;

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly ISinkDirectory _sinks;
    private readonly string _peerToken;
    private readonly BundleWireLimits _limits;
    private readonly int _maxFetchRefs;
    private readonly StateSinkMetrics? _metrics;
    private readonly CopyLedger? _ledger;
    private readonly TimeProvider _time;

    /// <param name="http">Used for every request; disposed with this puller when <paramref name="ownsClient"/>.</param>
    /// <param name="sinks">Where the other nodes' sinks are.</param>
    /// <param name="localNode">The node pulling (the "from" of <see cref="ISinkDirectory.SinkFor"/>).</param>
    /// <param name="peerToken">Presented as <c>Authorization: Bearer</c>.</param>
    /// <param name="limits">What a response may contain; larger bundles are rejected, never stored.</param>
    /// <param name="maxFetchRefs">Most refs per fused request; longer lists are split.</param>
    /// <param name="metrics">Counts requests, bundles, bytes and durations.</param>
    /// <param name="ledger">Notes every pulled bundle as a copy.</param>
    /// <param name="timeProvider">Measures durations.</param>
    /// <param name="ownsClient">Dispose <paramref name="http"/> with this puller.</param>
    public HttpBundlePuller(
        HttpClient http,
        ISinkDirectory sinks,
        string localNode,
        string peerToken,
        BundleWireLimits limits,
        int maxFetchRefs = 256,
        StateSinkMetrics? metrics = null,
        CopyLedger? ledger = null,
        TimeProvider? timeProvider = null,
        bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentException.ThrowIfNullOrEmpty(localNode);
        ArgumentException.ThrowIfNullOrWhiteSpace(peerToken);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFetchRefs, 1);
        _http = http;
        _ownsClient = ownsClient;
        _sinks = sinks;
        LocalNode = localNode;
        _peerToken = peerToken;
        _limits = limits;
        _maxFetchRefs = Math.Min(maxFetchRefs, limits.MaxEntries);
        _metrics = metrics;
        _ledger = ledger;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string LocalNode { get; }

    public async Task<Bundle?> PullAsync(StateRef source, CancellationToken cancellationToken)
    {
        var entry = await GetAsync(source, ifNoneMatch: null, cancellationToken).ConfigureAwait(false);
        return entry.Bundle;
    }

    /// <summary>All of <paramref name="sources"/> (bundles held by <paramref name="node"/>) in one request per <c>maxFetchRefs</c>.</summary>
    public async Task<IReadOnlyList<Bundle?>> PullManyAsync(string node, IReadOnlyList<StateRef> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var entries = await FetchAsync(node, sources.Select(s => new BundleFetch(s)).ToList(), cancellationToken).ConfigureAwait(false);
        var bundles = new Bundle?[entries.Count];
        for (var i = 0; i < bundles.Length; i++)
        {
            bundles[i] = entries[i].Status switch
            {
                BundleWireStatus.Found => entries[i].Bundle,
                BundleWireStatus.NotFound => null,
                _ => throw new BundleWireFormatException($"node '{node}' answered 'not modified' for {sources[i]}, which was fetched unconditionally."),
            };
        }

        return bundles;
    }

    /// <summary>
    /// One bundle from the node <paramref name="source"/> names. With <paramref name="ifNoneMatch"/> (the version held
    /// here) the answer is <see cref="BundleWireStatus.NotModified"/> when the holder has that same version.
    /// </summary>
    public async Task<BundleWireEntry> GetAsync(StateRef source, long? ifNoneMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sink = _sinks.SinkFor(LocalNode, source.Node);
        using var request = new HttpRequestMessage(HttpMethod.Get, SinkUris.Bundle(sink, source.WorkflowId, source.Bundle));
        Authorize(request);
        request.Headers.Accept.ParseAdd(BundleWireFormat.MediaType);
        if (ifNoneMatch is { } held)
        {
            request.Headers.IfNoneMatch.Add(BundleETag.For(held));
        }

        var started = _time.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    return BundleWireEntry.NotFound(source);
                case HttpStatusCode.NotModified:
                    return BundleWireEntry.NotModified(source, BundleETag.TryParse(response.Headers.ETag, out var version) ? version : ifNoneMatch ?? 1);
            }

            await EnsureBundleStreamAsync(response, source.Node, sink, cancellationToken).ConfigureAwait(false);
            var entries = await ReadEntriesAsync(response, cancellationToken).ConfigureAwait(false);
            if (entries.Count != 1 || entries[0].Status != BundleWireStatus.Found || !SameBundle(entries[0].StateRef, source))
            {
                throw new BundleWireFormatException($"node '{source.Node}' answered a request for {source} with [{string.Join(", ", entries)}].");
            }

            Kept(entries, source.Node, started);
            return entries[0];
        }
        catch
        {
            _metrics?.RecordPullFailure();
            throw;
        }
    }

    /// <summary>
    /// Several bundles held by <paramref name="node"/>, in input order: found, not found, or not modified (for
    /// fetches with <see cref="BundleFetch.IfNoneMatch"/>). One round trip per <c>maxFetchRefs</c> refs.
    /// </summary>
    public async Task<IReadOnlyList<BundleWireEntry>> FetchAsync(string node, IReadOnlyList<BundleFetch> fetches, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(fetches);
        if (fetches.Count == 0)
        {
            return [];
        }

        var all = new List<BundleWireEntry>(fetches.Count);
        foreach (var chunk in fetches.Chunk(_maxFetchRefs))
        {
            using var pending = await SendFetchAsync(node, chunk, wait: null, cancellationToken).ConfigureAwait(false);
            all.AddRange(await pending.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        return all;
    }

    /// <summary>
    /// Downloads <paramref name="bytes"/> bytes from <paramref name="node"/>'s sink and returns how long it took, from
    /// sending the request to the last byte: a tiny probe measures the round-trip time, a large one the throughput.
    /// </summary>
    public async Task<TimeSpan> ProbeAsync(string node, int bytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var sink = _sinks.ProbeSinkFor(LocalNode, node);
        using var request = new HttpRequestMessage(HttpMethod.Get, SinkUris.Probe(sink, bytes));
        Authorize(request);
        var started = _time.GetTimestamp();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, node, sink, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[64 * 1024];
            long received = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                received += n;
            }

            if (received != bytes)
            {
                throw new HttpRequestException($"node '{node}' answered a probe of {bytes} bytes with {received}.");
            }
        }

        return _time.GetElapsedTime(started);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Sends one fused fetch of at most <see cref="MaxFetchRefs"/> bundles held by <paramref name="node"/> and returns
    /// once the response headers have arrived, without reading the bundles. With <paramref name="wait"/> the holder
    /// holds the answer until every bundle is written there (or the wait has passed), so the headers mean "written":
    /// the caller can wait for a transfer slot only then, and read the bundles with <see cref="PendingFetch.ReadAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxFetchRefs"/> fetches, or none.</exception>
    public Task<PendingFetch> SendFetchAsync(string node, IReadOnlyList<BundleFetch> fetches, TimeSpan? wait, CancellationToken cancellationToken) =>
        SendFetchAsync(node, fetches, wait, acceptStreamed: false, cancellationToken);

    /// <inheritdoc cref="SendFetchAsync(string, IReadOnlyList{BundleFetch}, TimeSpan?, CancellationToken)"/>
    /// <param name="node">The holding node.</param>
    /// <param name="fetches">At most <see cref="MaxFetchRefs"/> bundles it holds.</param>
    /// <param name="wait">The long poll's wait, or null for none.</param>
    /// <param name="acceptStreamed">
    /// With <paramref name="wait"/>: also accept format version 2, in which the holder answers as soon as every bundle is
    /// held or has its first item staged, and streams each bundle being written item by item up to its commit
    /// (<see cref="PendingFetch.IsStreamed"/>; read it with <see cref="PendingFetch.ReadEachAsync"/>).
    /// </param>
    /// <param name="cancellationToken">Ends the request.</param>
    public async Task<PendingFetch> SendFetchAsync(string node, IReadOnlyList<BundleFetch> fetches, TimeSpan? wait, bool acceptStreamed, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(fetches);
        if (fetches.Count == 0 || fetches.Count > MaxFetchRefs)
        {
            throw new ArgumentException($"One fetch asks for 1 to {MaxFetchRefs} bundles; got {fetches.Count}.", nameof(fetches));
        }

        if (wait is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(w, TimeSpan.Zero, nameof(wait));
        }

        var sink = _sinks.SinkFor(LocalNode, node);
        using var request = new HttpRequestMessage(HttpMethod.Post, wait is { } waitFor ? SinkUris.Fetch(sink, waitFor) : SinkUris.Fetch(sink))
        {
            Content = JsonContent.Create(fetches, options: ContractJson.Options),
        };
        Authorize(request);
        if (acceptStreamed)
        {
            request.Headers.Accept.ParseAdd(BundleWireFormat.StreamingMediaType);
        }

        request.Headers.Accept.ParseAdd(BundleWireFormat.MediaType);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureBundleStreamAsync(response, node, sink, cancellationToken).ConfigureAwait(false);
            var streamed = response.Content.Headers.ContentType?.Parameters.Any(p =>
                string.Equals(p.Name, BundleWireFormat.VersionParameter, StringComparison.OrdinalIgnoreCase) && p.Value == "2") == true;
            if (streamed && !acceptStreamed)
            {
                throw new HttpRequestException($"node '{node}' ({sink}) answered in format version 2, which this fetch did not accept.");
            }

            // Transfer time is measured from the headers on: a long poll's wait is not the link's time.
            return new PendingFetch(this, node, fetches, response, _time.GetTimestamp(), streamed);
        }
        catch
        {
            response?.Dispose();
            _metrics?.RecordPullFailure();
            throw;
        }
    }

    /// <summary>Most refs one fused request carries.</summary>
    public int MaxFetchRefs => _maxFetchRefs;

    internal async Task<IReadOnlyList<BundleWireEntry>> ReadFetchAsync(
        string node, IReadOnlyList<BundleFetch> fetches, HttpResponseMessage response, long started, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await ReadEntriesAsync(response, cancellationToken).ConfigureAwait(false);
            if (entries.Count != fetches.Count)
            {
                throw new BundleWireFormatException($"node '{node}' answered a fetch of {fetches.Count} bundles with {entries.Count} entries.");
            }

            for (var i = 0; i < entries.Count; i++)
            {
                if (!SameBundle(entries[i].StateRef, fetches[i].StateRef))
                {
                    throw new BundleWireFormatException($"node '{node}' answered entry {i} ({fetches[i].StateRef}) with {entries[i].StateRef}.");
                }
            }

            Kept(entries, node, started);
            return entries;
        }
        catch
        {
            _metrics?.RecordPullFailure();
            throw;
        }
    }

    /// <summary>
    /// Reads a fetch's answers entry by entry, each checked against the bundle asked for at its position and handed to
    /// <paramref name="onEntry"/> as soon as it is complete; streamed entries' items go to <paramref name="receiver"/>
    /// as they arrive. Counted like any pull once the whole answer (trailer included) has been read.
    /// </summary>
    internal async Task ReadEachAsync(
        string node, IReadOnlyList<BundleFetch> fetches, HttpResponseMessage response, long started, IStreamedBundleReceiver receiver,
        Action<int, BundleWireEntry> onEntry, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = new BundleWireReader(stream, _limits);
                var count = await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                if (count != fetches.Count)
                {
                    throw new BundleWireFormatException($"node '{node}' answered a fetch of {fetches.Count} bundles with {count} entries.");
                }

                var entries = new List<BundleWireEntry>(count);
                var streamed = 0;
                for (var i = 0; i < count; i++)
                {
                    var entry = await reader.ReadEntryAsync(i, receiver, cancellationToken).ConfigureAwait(false);
                    if (!SameBundle(entry.StateRef, fetches[i].StateRef))
                    {
                        throw new BundleWireFormatException($"node '{node}' answered entry {i} ({fetches[i].StateRef}) with {entry.StateRef}.");
                    }

                    if (entry.IsCommittedStream)
                    {
                        streamed++;
                        _ledger?.Record(entry.StateRef, entry.Version, entry.SizeBytes, node);
                    }

                    entries.Add(entry);
                    onEntry(i, entry);
                }

                await reader.ReadTrailerAsync(cancellationToken).ConfigureAwait(false);
                Kept(entries, node, started);
                _metrics?.RecordStreamedPull(streamed);
            }
        }
        catch
        {
            _metrics?.RecordPullFailure();
            throw;
        }
    }

    /// <summary>Whether an entry of a fetch answers the bundle asked for (any node: the holder answers with its own copy).</summary>
    internal static bool SameBundle(StateRef a, StateRef b) => a.WorkflowId == b.WorkflowId && a.Bundle == b.Bundle;

    private void Authorize(HttpRequestMessage request) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _peerToken);

    private async Task<IReadOnlyList<BundleWireEntry>> ReadEntriesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await BundleWireFormat.ReadAsync(stream, _limits, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Kept(IReadOnlyList<BundleWireEntry> entries, string node, long started)
    {
        var bundles = 0;
        long bytes = 0;
        foreach (var entry in entries)
        {
            if (entry.Status == BundleWireStatus.Found && entry.Bundle is { } bundle)
            {
                bundles++;
                bytes += bundle.SizeBytes;
                _ledger?.Record(bundle, node);
            }
            else if (entry.IsCommittedStream)
            {
                // Recorded in the ledger as it arrived, when its copy was committed here.
                bundles++;
                bytes += entry.SizeBytes;
            }
        }

        _metrics?.RecordPull(bundles, bytes, _time.GetElapsedTime(started));
    }

    private static async Task EnsureBundleStreamAsync(HttpResponseMessage response, string node, Uri sink, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, node, sink, cancellationToken).ConfigureAwait(false);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, BundleWireFormat.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpRequestException($"node '{node}' ({sink}) answered with Content-Type '{mediaType}', not {BundleWireFormat.MediaType}.");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string node, Uri sink, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var hint = response.StatusCode == HttpStatusCode.Unauthorized ? " (the peer token was rejected)" : "";
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > ErrorBodyLimit)
        {
            body = body[..ErrorBodyLimit] + "…";
        }

        throw new HttpRequestException(
            $"the StateSink of node '{node}' ({sink}) answered {(int)response.StatusCode} {response.ReasonPhrase}{hint}: {body}",
            inner: null,
            response.StatusCode);
    }
}
