using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.State.Functions;

/// <summary>
/// One delivery of a CloudEvent to a function: typed access to its attributes and extensions (missing or malformed ones
/// become <see cref="FunctionInputException"/>s, i.e. 422), and state access that records every read's source and time
/// and every write for the reply's <see cref="FunctionReport"/>. Writes go through the function's scoped store, so a
/// function can only change its own bundles. Not thread-safe: one handler uses it at a time.
/// </summary>
public sealed class FunctionInvocation
{
    private readonly FunctionRuntime _runtime;
    private readonly List<StateReadReport> _reads = [];
    private readonly List<StateWriteReport> _writes = [];

    internal FunctionInvocation(FunctionRuntime runtime, CloudEvent cloudEvent)
    {
        _runtime = runtime;
        Event = cloudEvent;
        WorkflowId = RequireSegment(ExtensionNames.WorkflowId);
    }

    public CloudEvent Event { get; }

    public string Function => _runtime.Function;

    /// <summary>The node this instance runs on.</summary>
    public string Node => _runtime.Node;

    /// <summary>The event's <c>workflowid</c>, already validated as a StateRef segment.</summary>
    public string WorkflowId { get; }

    public TimeProvider Time => _runtime.Time;

    public IReadOnlyList<StateReadReport> Reads => _reads;

    /// <summary>The span of this handling, when traced: reads are recorded under it.</summary>
    internal System.Diagnostics.Activity? Span { get; init; }

    public IReadOnlyList<StateWriteReport> Writes => _writes;

    /// <exception cref="FunctionInputException">The event's type is not <paramref name="expected"/>.</exception>
    public void RequireType(string expected)
    {
        if (!string.Equals(Event.Type, expected, StringComparison.Ordinal))
        {
            throw new FunctionInputException($"Function '{Function}' accepts events of type '{expected}', not '{Event.Type}'.");
        }
    }

    /// <summary>The extension's value in its canonical string form, or null when the event does not have it.</summary>
    public string? GetExtension(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = Event[name];
        if (value is null)
        {
            return null;
        }

        // Structured-mode JSON may carry a boolean or integer extension; its canonical form is what filters compare.
        return Event.GetAttribute(name)?.Format(value) ?? value.ToString();
    }

    /// <exception cref="FunctionInputException">The event has no (or an empty) <paramref name="name"/> extension.</exception>
    public string RequireExtension(string name) =>
        GetExtension(name) is { Length: > 0 } value
            ? value
            : throw new FunctionInputException($"Event '{Event.Id}' of type '{Event.Type}' has no '{name}' extension; function '{Function}' needs it.");

    /// <summary>The <c>camera</c> extension, validated as a camera id.</summary>
    public string RequireCamera()
    {
        var camera = RequireExtension(ExtensionNames.Camera);
        return CameraStreams.IsValidCamera(camera)
            ? camera
            : throw new FunctionInputException(
                $"Extension 'camera' value '{Truncate(camera)}' is not a camera id: it must match {StateRef.SegmentPattern} and be at most {CameraStreams.MaxCameraLength} characters.");
    }

    /// <summary>
    /// The <c>statekey</c> extension: the bundle this event refers to. When <c>statenode</c> is present it must agree
    /// with the StateRef's node, because a disagreement means the producer is confused about where its state is.
    /// </summary>
    public StateRef RequireStateKey()
    {
        var value = RequireExtension(ExtensionNames.StateKey);
        if (!StateRef.TryParse(value, out var stateRef, out var error))
        {
            throw new FunctionInputException($"Extension 'statekey' is malformed: {error}");
        }

        if (GetExtension(ExtensionNames.StateNode) is { } stateNode && !string.Equals(stateNode, stateRef.Node, StringComparison.Ordinal))
        {
            throw new FunctionInputException(
                $"Extension 'statenode' is '{Truncate(stateNode)}' but 'statekey' '{stateRef}' names node '{stateRef.Node}'.");
        }

        return stateRef;
    }

    /// <summary>The event's data as <typeparamref name="T"/> (ContractJson), or null when absent or not readable as one.</summary>
    public T? TryGetData<T>()
        where T : class
    {
        try
        {
            return Event.Data switch
            {
                byte[] bytes when bytes.Length > 0 => JsonSerializer.Deserialize<T>(bytes, ContractJson.Options),
                JsonElement element => element.Deserialize<T>(ContractJson.Options),
                string text when text.Length > 0 => JsonSerializer.Deserialize<T>(text, ContractJson.Options),
                _ => null,
            };
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary><paramref name="bundle"/> of this event's workflow on this node: where per-event output goes.</summary>
    public StateRef OutputRef(string bundle) => new(Node, WorkflowId, bundle);

    /// <summary><paramref name="bundle"/> of a long-lived stream workflow on this node (local, or propagated here).</summary>
    public StateRef StreamRef(string workflowId, string bundle) => new(Node, workflowId, bundle);

    /// <summary>Reads one bundle wherever it is (this node, a pull in flight, or its node).</summary>
    /// <exception cref="StateNotFoundException">It does not exist.</exception>
    /// <exception cref="StateUnavailableException">It could not be fetched.</exception>
    public async Task<Bundle> ReadAsync(StateRef stateRef, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        RequireStoreConnected();
        var started = Time.GetTimestamp();
        var startedAt = Span is null ? default : Time.GetUtcNow();
        var result = await _runtime.Reader.ReadAsync(stateRef, cancellationToken).ConfigureAwait(false);
        var source = StateReadReport.SourceName(_runtime.Located(result.Source));
        _reads.Add(Report(stateRef, result.Bundle, source, Elapsed(started)));
        FunctionTracing.Read(Span, stateRef, source, startedAt, Time.GetElapsedTime(started));
        return result.Bundle;
    }

    /// <summary>
    /// Reads <paramref name="required"/> (anywhere) and <paramref name="optional"/> (this node only: stream and
    /// configuration bundles, which the StateSink propagates here) fused: one round trip to this node's Redis for all
    /// of them, then one tiered read for required bundles this node lacks. Results are in the order required, then
    /// optional; an optional bundle that does not exist here is null.
    /// </summary>
    /// <exception cref="ArgumentException">An optional ref names another node.</exception>
    /// <exception cref="StateNotFoundException">A required bundle does not exist.</exception>
    /// <exception cref="StateUnavailableException">A required bundle could not be fetched.</exception>
    public async Task<IReadOnlyList<Bundle?>> ReadManyAsync(
        IReadOnlyList<StateRef> required,
        IReadOnlyList<StateRef> optional,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(optional);
        foreach (var stateRef in optional)
        {
            if (!string.Equals(stateRef.Node, Node, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Optional bundle '{stateRef}' must be on this node '{Node}'.", nameof(optional));
            }
        }

        RequireStoreConnected();
        StateRef[] all = [.. required, .. optional];
        var started = Time.GetTimestamp();
        var startedAt = Span is null ? default : Time.GetUtcNow();
        var local = await _runtime.Store.ReadManyAsync(all, cancellationToken).ConfigureAwait(false);
        var localElapsed = Elapsed(started);

        var missing = new List<int>();
        for (var i = 0; i < required.Count; i++)
        {
            if (local[i] is null)
            {
                missing.Add(i);
            }
        }

        var bundles = local.ToArray();
        var sources = new string[all.Length];
        var elapsed = new double[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            sources[i] = local[i] is null ? StateReadReport.Absent : StateReadReport.SourceName(_runtime.Located(StateReadSource.Local));
            elapsed[i] = localElapsed;
            if (local[i] is not null)
            {
                // The tiered reader counts the reads it serves; these it did not see.
                _runtime.Metrics.Record(_runtime.Located(StateReadSource.Local));
            }
        }

        if (missing.Count > 0)
        {
            var tieredStarted = Time.GetTimestamp();
            var fetched = await _runtime.Reader.ReadManyAsync([.. missing.Select(i => all[i])], cancellationToken).ConfigureAwait(false);
            var tieredElapsed = Elapsed(tieredStarted);
            for (var k = 0; k < missing.Count; k++)
            {
                var i = missing[k];
                bundles[i] = fetched[k].Bundle;
                sources[i] = StateReadReport.SourceName(_runtime.Located(fetched[k].Source));
                elapsed[i] = localElapsed + tieredElapsed;
            }
        }

        for (var i = 0; i < all.Length; i++)
        {
            _reads.Add(Report(all[i], bundles[i], sources[i], elapsed[i]));
            if (bundles[i] is not null)
            {
                FunctionTracing.Read(Span, all[i], sources[i], startedAt, TimeSpan.FromMilliseconds(elapsed[i]));
            }
        }

        return bundles;
    }

    /// <summary>Writes the next version of a bundle this function owns, on this node.</summary>
    /// <exception cref="BundleScopeException">The function does not own <paramref name="stateRef"/>.</exception>
    public async Task<Bundle> WriteAsync(StateRef stateRef, BundleItems items, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        RequireStoreConnected();
        var bundle = await _runtime.Store.WriteAsync(stateRef, items, timeToLive, cancellationToken).ConfigureAwait(false);
        _writes.Add(new StateWriteReport(bundle.StateRef, bundle.Version, bundle.SizeBytes));
        return bundle;
    }

    /// <summary>
    /// Begins writing the next version of a bundle this function owns, on this node, item by item, as the function
    /// produces it (<see cref="ProgressiveBundleWriter"/>): each appended item is staged and announced at once, so the
    /// StateSink can stream it to where the next function runs while this one is still working; readers see the bundle
    /// only from <see cref="ProgressiveBundleWriter.CommitAsync"/> on, which also records the write in the reply's report.
    /// Dispose the writer (<c>await using</c>): a write not committed is abandoned.
    /// </summary>
    /// <exception cref="BundleScopeException">The function does not own <paramref name="stateRef"/>.</exception>
    public ProgressiveBundleWriter BeginWrite(StateRef stateRef, TimeSpan? timeToLive)
    {
        RequireStoreConnected();
        return _runtime.Store.BeginRecordedWrite(stateRef, timeToLive, info => _writes.Add(new StateWriteReport(info.StateRef, info.Version, info.SizeBytes)));
    }

    /// <summary>
    /// True when a <see cref="StateNotFoundException"/> is final: the bundle's own node (this one, or another reached
    /// through the puller) answered that it does not hold it. False when this node could not ask.
    /// </summary>
    public bool IsDefinitelyMissing(StateNotFoundException notFound) => _runtime.IsDefinitelyMissing(notFound);

    /// <summary>
    /// Fails at once while this node's Redis is down rather than letting the command wait out the client's timeout:
    /// functions call this under a per-camera lock, and every delivery queued behind it would wait that long too. The
    /// 503 hands the waiting to the broker's retries, and finally its dead-letter sink.
    /// </summary>
    private void RequireStoreConnected()
    {
        if (!_runtime.Store.IsConnected)
        {
            throw new FunctionUnavailableException(
                $"The Redis of node '{Node}' is not connected (down or restarting); answered at once so the delivery is retried.");
        }
    }

    private string RequireSegment(string extension)
    {
        var value = RequireExtension(extension);
        return StateRef.IsValidSegment(value)
            ? value
            : throw new FunctionInputException($"Extension '{extension}' value '{Truncate(value)}' must match {StateRef.SegmentPattern}.");
    }

    private double Elapsed(long started) => Time.GetElapsedTime(started).TotalMilliseconds;

    private static StateReadReport Report(StateRef stateRef, Bundle? bundle, string source, double elapsedMs) =>
        new(stateRef, source, bundle?.Version, bundle?.SizeBytes ?? 0, Math.Round(elapsedMs, 3));

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
