using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Peer;

/// <summary>
/// The API other sinks pull from, all behind the peer token:
/// <c>GET /peer/bundles/{workflowId}/{bundle}</c> (one bundle, ETag = version, If-None-Match → 304),
/// <c>POST /peer/bundles:fetch[?wait=ms]</c> (a JSON list of <see cref="BundleFetch"/>, all answered in one bundle
/// stream; with <c>wait</c> the answer is held until every bundle not held yet is written, or the wait ends) and
/// <c>GET /peer/probe?bytes=N</c> (N bytes, for link measurements). Bundles are read from Redis in one atomic read
/// and then streamed; a receiver checks every length, so a broken connection never yields a partial bundle.
/// </summary>
/// <remarks>
/// A waiting fetch from a caller that accepts format version 2 (<see cref="BundleWireFormat.StreamingMediaType"/>) does
/// not wait for a bundle being written item by item (<see cref="ProgressiveBundleWriter"/>) to be complete: the answer
/// starts once every bundle asked for is held here or has its first item staged, and each such bundle is streamed item
/// by item as its producer appends, ended by its commit — or by an abort with the reason when the producer abandons the
/// write, another write replaces it, or the wait ends first.
/// </remarks>
public sealed partial class PeerEndpoints
{
    private const int ProbeChunk = 64 * 1024;

    private const string WaitParameter = "wait";

    /// <summary>Most value bytes one look at a staged write reads from Redis (at least one item): what a stream holds in memory.</summary>
    private const long StreamReadBudgetBytes = 1024 * 1024;

    private readonly BundleStore _store;
    private readonly BundleWriteWatcher _watcher;
    private readonly PeerAuthenticator _authenticator;
    private readonly StateSinkMetrics _metrics;
    private readonly StateSinkOptions _options;
    private readonly ILogger<PeerEndpoints> _logger;
    private readonly CancellationToken _stopping;
    private readonly TimeProvider _time;
    private readonly byte[] _zeros = new byte[ProbeChunk];

    public PeerEndpoints(
        BundleStore store,
        BundleWriteWatcher watcher,
        PeerAuthenticator authenticator,
        StateSinkMetrics metrics,
        StateSinkOptions options,
        ILogger<PeerEndpoints> logger,
        IHostApplicationLifetime? lifetime = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _watcher = watcher;
        _authenticator = authenticator;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task GetBundleAsync(HttpContext context, string workflowId, string bundle)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context).ConfigureAwait(false))
        {
            return;
        }

        _metrics.RecordPeerBundleRequest();
        if (!StateRef.IsValidSegment(workflowId) || !StateRef.IsValidSegment(bundle))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"Workflow id and bundle must each match {StateRef.SegmentPattern}.").ConfigureAwait(false);
            return;
        }

        var stateRef = new StateRef(_store.Node, workflowId, bundle);
        var cancellationToken = context.RequestAborted;
        try
        {
            var conditions = context.Request.Headers[HeaderNames.IfNoneMatch].ToString();
            if (conditions.Length > 0)
            {
                var held = await _store.GetVersionAsync(stateRef, cancellationToken).ConfigureAwait(false);
                if (held is { } version && Matches(conditions, version))
                {
                    _metrics.RecordNotModified(1);
                    context.Response.StatusCode = StatusCodes.Status304NotModified;
                    context.Response.Headers.ETag = BundleETag.Format(version);
                    return;
                }
            }

            var found = await _store.ReadAsync(stateRef, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                _metrics.RecordNotFound(1);
                await TextAsync(context, StatusCodes.Status404NotFound, $"Node '{_store.Node}' does not hold bundle '{workflowId}/{bundle}'.").ConfigureAwait(false);
                return;
            }

            context.Response.Headers.ETag = BundleETag.Format(found.Version);
            await WriteEntriesAsync(context, [BundleWireEntry.Found(found)]).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or StateFormatException)
        {
            await FailAsync(context, stateRef.ToString(), error).ConfigureAwait(false);
        }
    }

    public async Task FetchAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context).ConfigureAwait(false))
        {
            return;
        }

        _metrics.RecordPeerFetchRequest();
        var cancellationToken = context.RequestAborted;
        if (!TryReadWait(context.Request, out var wait, out var waitProblem))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, waitProblem).ConfigureAwait(false);
            return;
        }

        if (!RequestBodyLimit.TryApply(context, _options.MaxRequestBodyBytes))
        {
            await TextAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body may be at most {_options.MaxRequestBodyBytes} bytes.").ConfigureAwait(false);
            return;
        }

        List<BundleFetch>? fetches;
        try
        {
            fetches = await JsonSerializer.DeserializeAsync<List<BundleFetch>>(context.Request.Body, ContractJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"The body must be a JSON list of StateRefs or {{\"ref\", \"ifNoneMatch\"}} objects: {error.Message}").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException error)
        {
            await TextAsync(context, error.StatusCode, error.Message).ConfigureAwait(false);
            return;
        }

        if (fetches is null || fetches.Any(f => f is null))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "The body must be a JSON list of StateRefs; null is not one.").ConfigureAwait(false);
            return;
        }

        if (fetches.Count > _options.MaxFetchRefs)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"A fetch may ask for at most {_options.MaxFetchRefs} bundles; this one asks for {fetches.Count}.").ConfigureAwait(false);
            return;
        }

        try
        {
            if (wait > TimeSpan.Zero && AcceptsStreaming(context.Request))
            {
                await StreamAsync(context, fetches, wait, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (wait > TimeSpan.Zero)
            {
                // Nothing is sent before the wait ends: the caller takes the response headers as "written".
                await WaitForWritesAsync(fetches, wait, cancellationToken).ConfigureAwait(false);
            }

            await WriteEntriesAsync(context, await LookUpAsync(fetches, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (its deadline passed or it went away); the waits ended with the request.
        }
        catch (StateUnavailableException error)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, error.Message).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or StateFormatException)
        {
            await FailAsync(context, $"{fetches.Count} bundles", error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits, all in parallel, until each bundle asked for is held here or <paramref name="wait"/> has passed. When
    /// the sink is stopping, the waits end early and the fetch is answered with what is here (so shutdown is not held up).
    /// </summary>
    private async Task WaitForWritesAsync(List<BundleFetch> fetches, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        var waits = fetches.Select(f => f.StateRef.On(_store.Node)).Distinct().Select(async r =>
        {
            try
            {
                return await _watcher.WaitForAsync(r, wait, abandon.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // One wait failed (e.g. refused beyond the watcher's bound): the others need not go on.
                await abandon.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(waits).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Stopping: answer now with what is here.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && waits.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } failure)
        {
            // A sibling's cancellation surfaced first; report the failure that caused it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// A waiting fetch answered in format version 2 when a bundle is still being written item by item: waits (in
    /// parallel) until each bundle is held or has an item staged; answers in version 1 when none is merely staged then
    /// (nothing to stream), else streams entry by entry, each bundle staged at its turn item by item until its commit.
    /// </summary>
    private async Task StreamAsync(HttpContext context, List<BundleFetch> fetches, TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        TimeSpan Left() => wait - _time.GetElapsedTime(started);
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        var refs = fetches.Select(f => f.StateRef.On(_store.Node)).ToList();
        var waits = refs.Distinct().Select(async r =>
        {
            try
            {
                return await WaitUntilStartedAsync(r, Left, abandon.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // One wait failed (e.g. refused beyond the watcher's bound): the others need not go on.
                await abandon.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        bool streaming;
        try
        {
            streaming = (await Task.WhenAll(waits).ConfigureAwait(false)).Contains(StagedBundleState.Staging);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Stopping: answer now with what is here.
            streaming = false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && waits.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } cause)
        {
            // A sibling's cancellation surfaced first; report the failure that caused it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            throw;
        }

        if (!streaming)
        {
            await WriteEntriesAsync(context, await LookUpAsync(fetches, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        _metrics.RecordStreamedFetch();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = BundleWireFormat.StreamingMediaType;
        response.Headers.CacheControl = "no-store";
        await using var writer = new BundleWireWriter(response.Body, fetches.Count, BundleWireFormat.StreamingFormatVersion);
        string? failure = null;
        for (var i = 0; i < fetches.Count; i++)
        {
            if (failure is null)
            {
                try
                {
                    await WriteEntryAsync(writer, fetches[i], refs[i], Left, abandon.Token).ConfigureAwait(false);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    failure = $"the StateSink of node '{_store.Node}' is shutting down";
                }
                catch (Exception error) when (error is RedisException or StateFormatException or TimeoutException or StateUnavailableException)
                {
                    LogReadFailed(refs[i].ToString(), error.Message);
                    failure = $"node '{_store.Node}' could not read it: {error.Message}";
                }
            }

            // The answer has begun, so no status code can say it any more: every entry left ends with the reason.
            if (!writer.InStreamedEntry)
            {
                await writer.BeginStreamedAsync(refs[i], cancellationToken).ConfigureAwait(false);
            }

            _metrics.RecordStreamAborted();
            await writer.AbortStreamedAsync(failure, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until this node holds the bundle or has an item of it staged, or the wait is over.</summary>
    /// <returns><see cref="StagedBundleState.Committed"/> when held, <see cref="StagedBundleState.Staging"/> when only staged, else <see cref="StagedBundleState.Gone"/>.</returns>
    private async Task<StagedBundleState> WaitUntilStartedAsync(StateRef stateRef, Func<TimeSpan> left, CancellationToken cancellationToken)
    {
        using var watch = await _watcher.WatchAsync(stateRef).ConfigureAwait(false);
        while (true)
        {
            var armed = watch.Arm();
            if (await _store.GetVersionAsync(stateRef, cancellationToken).ConfigureAwait(false) is not null)
            {
                return StagedBundleState.Committed;
            }

            if ((await _store.ReadStagedAsync(stateRef, writeId: null, 0, 0, cancellationToken).ConfigureAwait(false)).State == StagedBundleState.Staging)
            {
                return StagedBundleState.Staging;
            }

            if (left() <= TimeSpan.Zero)
            {
                return StagedBundleState.Gone;
            }

            await watch.WaitAsync(armed, left(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One entry of a streamed answer: the bundle as held here (or not modified), else its write streamed item by item,
    /// else, when neither appears before the wait is over, not found.
    /// </summary>
    private async Task WriteEntryAsync(BundleWireWriter writer, BundleFetch fetch, StateRef stateRef, Func<TimeSpan> left, CancellationToken cancellationToken)
    {
        using var watch = await _watcher.WatchAsync(stateRef).ConfigureAwait(false);
        while (true)
        {
            var armed = watch.Arm();
            if (await _store.GetVersionAsync(stateRef, cancellationToken).ConfigureAwait(false) is { } held)
            {
                if (held == fetch.IfNoneMatch)
                {
                    _metrics.RecordNotModified(1);
                    await writer.WriteAsync(BundleWireEntry.NotModified(stateRef, held), cancellationToken).ConfigureAwait(false);
                    return;
                }

                // Gone between the two reads (deleted or expired): look again.
                if (await _store.ReadAsync(stateRef, cancellationToken).ConfigureAwait(false) is { } bundle)
                {
                    _metrics.RecordServed(1, bundle.SizeBytes);
                    await writer.WriteAsync(BundleWireEntry.Found(bundle), cancellationToken).ConfigureAwait(false);
                    return;
                }

                continue;
            }

            var staged = await _store.ReadStagedAsync(stateRef, writeId: null, 0, StreamReadBudgetBytes, cancellationToken).ConfigureAwait(false);
            if (staged.State == StagedBundleState.Staging)
            {
                await StreamStagedAsync(writer, stateRef, staged, watch, armed, left, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (left() <= TimeSpan.Zero)
            {
                _metrics.RecordNotFound(1);
                await writer.WriteAsync(BundleWireEntry.NotFound(stateRef), cancellationToken).ConfigureAwait(false);
                return;
            }

            await watch.WaitAsync(armed, left(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams one write: every item staged so far, then each new one as it is announced, until the write is committed
    /// (the commit part, with the version it became), abandoned or replaced, or the wait is over (an abort part with why).
    /// </summary>
    private async Task StreamStagedAsync(
        BundleWireWriter writer, StateRef stateRef, StagedBundleProgress progress, BundleWriteWatcher.BundleWatch watch, Task armed, Func<TimeSpan> left,
        CancellationToken cancellationToken)
    {
        var writeId = progress.WriteId;
        var sent = 0;
        long bytes = 0;
        await writer.BeginStreamedAsync(stateRef, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            foreach (var (name, value) in progress.Items)
            {
                await writer.WriteStreamedItemAsync(name, value, cancellationToken).ConfigureAwait(false);
                sent++;
                bytes += value.Length;
            }

            string? abort = null;
            switch (progress.State)
            {
                case StagedBundleState.Committed when sent >= progress.ItemCount:
                    _metrics.RecordServed(1, progress.SizeBytes);
                    _metrics.RecordStreamed(1);
                    await writer.CommitStreamedAsync(progress.Version, progress.UpdatedAt, cancellationToken).ConfigureAwait(false);
                    return;
                case StagedBundleState.Superseded:
                    abort = $"another write of it began on node '{_store.Node}' before the one being streamed was committed";
                    break;
                case StagedBundleState.Gone:
                    abort = $"its producer on node '{_store.Node}' abandoned the write (or stopped appending for longer than its staging lives) before committing it";
                    break;
                case StagedBundleState.Staging when sent >= progress.ItemCount:
                    if (left() <= TimeSpan.Zero)
                    {
                        abort = $"it was not committed on node '{_store.Node}' within the wait ({sent} items, {bytes} bytes sent)";
                        break;
                    }

                    await watch.WaitAsync(armed, left(), cancellationToken).ConfigureAwait(false);
                    break;
            }

            if (abort is not null)
            {
                _metrics.RecordStreamAborted();
                await writer.AbortStreamedAsync(abort, cancellationToken).ConfigureAwait(false);
                return;
            }

            armed = watch.Arm();
            progress = await _store.ReadStagedAsync(stateRef, writeId, sent, StreamReadBudgetBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool AcceptsStreaming(HttpRequest request)
    {
        foreach (var accepted in request.GetTypedHeaders().Accept)
        {
            if (accepted.MediaType.Equals(BundleWireFormat.MediaType, StringComparison.OrdinalIgnoreCase)
                && accepted.Parameters.Any(p => p.Name.Equals(BundleWireFormat.VersionParameter, StringComparison.OrdinalIgnoreCase)
                    && p.Value.Equals("2", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private bool TryReadWait(HttpRequest request, out TimeSpan wait, out string problem)
    {
        wait = TimeSpan.Zero;
        problem = "";
        if (!request.Query.TryGetValue(WaitParameter, out var values))
        {
            return true;
        }

        var max = (long)_options.MaxFetchWait.TotalMilliseconds;
        var text = values.ToString();
        if (values.Count != 1
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > max)
        {
            problem = $"{WaitParameter} must be a whole number of milliseconds from 0 to {max} (StateSinkOptions.MaxFetchWait); got '{text}'.";
            return false;
        }

        wait = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    public async Task ProbeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var text = context.Request.Query["bytes"].ToString();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes > _options.MaxProbeBytes)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"bytes must be a whole number from 0 to {_options.MaxProbeBytes}; got '{text}'.").ConfigureAwait(false);
            return;
        }

        _metrics.RecordProbeServed();
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes;
        context.Response.Headers.CacheControl = "no-store";
        for (var left = bytes; left > 0; left -= ProbeChunk)
        {
            await context.Response.Body.WriteAsync(_zeros.AsMemory(0, Math.Min(left, ProbeChunk)), context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task<List<BundleWireEntry>> LookUpAsync(List<BundleFetch> fetches, CancellationToken cancellationToken)
    {
        // The key holds one logical bundle whatever node a ref names; answer with this node's copy.
        var refs = fetches.Select(f => f.StateRef.On(_store.Node)).ToList();
        var held = await Task.WhenAll(fetches.Select((f, i) => f.IfNoneMatch is null
            ? Task.FromResult<long?>(null)
            : _store.GetVersionAsync(refs[i], cancellationToken))).ConfigureAwait(false);
        var toRead = new List<int>();
        for (var i = 0; i < fetches.Count; i++)
        {
            if (fetches[i].IfNoneMatch is null || held[i] is { } version && version != fetches[i].IfNoneMatch)
            {
                toRead.Add(i);
            }
        }

        var read = await _store.ReadManyAsync([.. toRead.Select(i => refs[i])], cancellationToken).ConfigureAwait(false);
        var entries = new BundleWireEntry[fetches.Count];
        for (var i = 0; i < fetches.Count; i++)
        {
            entries[i] = held[i] is { } version && version == fetches[i].IfNoneMatch
                ? BundleWireEntry.NotModified(refs[i], version)
                : BundleWireEntry.NotFound(refs[i]);
        }

        for (var k = 0; k < toRead.Count; k++)
        {
            if (read[k] is { } bundle)
            {
                entries[toRead[k]] = BundleWireEntry.Found(bundle);
            }
        }

        _metrics.RecordNotModified(entries.Count(e => e.Status == BundleWireStatus.NotModified));
        _metrics.RecordNotFound(entries.Count(e => e.Status == BundleWireStatus.NotFound));
        return [.. entries];
    }

    private async Task WriteEntriesAsync(HttpContext context, IReadOnlyList<BundleWireEntry> entries)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = BundleWireFormat.MediaType;
        response.ContentLength = BundleWireFormat.Measure(entries);
        response.Headers.CacheControl = "no-store";
        await BundleWireFormat.WriteAsync(response.Body, entries, context.RequestAborted).ConfigureAwait(false);
        var found = entries.Where(e => e.Bundle is not null).ToList();
        _metrics.RecordServed(found.Count, found.Sum(e => e.Bundle!.SizeBytes));
    }

    private async Task<bool> AuthorizeAsync(HttpContext context)
    {
        if (_authenticator.IsAuthorized(context.Request))
        {
            return true;
        }

        _metrics.RecordUnauthorized();
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await TextAsync(context, StatusCodes.Status401Unauthorized, "The peer API needs 'Authorization: Bearer <peer token>'.").ConfigureAwait(false);
        return false;
    }

    private async Task FailAsync(HttpContext context, string what, Exception error)
    {
        LogReadFailed(what, error.Message);
        if (!context.Response.HasStarted)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, $"This node's Redis could not serve {what}: {error.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>If-None-Match: a list of entity tags or '*'; a match means the caller holds the current version.</summary>
    private static bool Matches(string conditions, long version)
    {
        foreach (var condition in conditions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (condition == "*" || (BundleETag.TryParse(condition, out var tagged) && tagged == version))
            {
                return true;
            }
        }

        return false;
    }

    internal static async Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer API could not read {What} from Redis: {Reason}")]
    private partial void LogReadFailed(string what, string reason);
}
