using System.Net.Http.Json;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.State;

/// <summary>
/// How a function running apart from its node's StateSink (its own process, its own pod) reads another node's state:
/// it asks that sink — the one on its own node, as a pod asks the StateSink DaemonSet pod beside it — to pull the
/// bundles into the node's Redis with an <c>io.skylark.state.propagate</c> command, then reads them there. The sink
/// joins a pull already in flight for the same bundle (a propagation ahead of time), so nothing is fetched twice.
/// </summary>
/// <remarks>
/// A missing bundle and a failed pull look alike in the sink's reply, so both are reported as unavailable (the
/// broker retries, then dead-letters), not as missing input. A command may only name bundles of its own workflow and
/// its camera's stream (<see cref="PropagateScope"/>), so reads spanning more workflows are asked for in several
/// commands at once.
/// </remarks>
public sealed class NodeSinkPuller : IBundlePuller
{
    private readonly HttpClient _http;
    private readonly Uri _sink;
    private readonly BundleStore _local;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <param name="http">Sends the commands; its lifetime is the caller's.</param>
    /// <param name="sink">This node's StateSink.</param>
    /// <param name="local">This node's store, where the sink puts what it pulls.</param>
    /// <param name="timeout">How long one pull may take (the command's deadline).</param>
    /// <param name="timeProvider">Dates the commands.</param>
    public NodeSinkPuller(HttpClient http, Uri sink, BundleStore local, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _http = http;
        _sink = sink;
        _local = local;
        _timeout = timeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task<Bundle?> PullAsync(StateRef source, CancellationToken cancellationToken) =>
        (await PullManyAsync(source.Node, [source], cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<Bundle?>> PullManyAsync(string node, IReadOnlyList<StateRef> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            return [];
        }

        await Task.WhenAll(PropagateScope.Partition(sources).Select(async part =>
        {
            var reply = await AskAsync(node, part, cancellationToken).ConfigureAwait(false);
            if (reply.Outcome is not (PropagationOutcomes.Pulled or PropagationOutcomes.Skipped))
            {
                throw new StateUnavailableException(part.Bundles[0], $"the StateSink of node '{_local.Node}' could not pull it from node '{node}': {reply.Error}");
            }
        })).ConfigureAwait(false);

        return await _local.ReadManyAsync(sources, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StatePropagated> AskAsync(string node, PropagateScopePart part, CancellationToken cancellationToken)
    {
        var sources = part.Bundles;
        var now = _time.GetUtcNow();
        var command = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.StatePropagate,
            Source = EventSources.StateSink(_local.Node),
            Time = now,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToUtf8Bytes(
                new StatePropagate(sources, node, _local.Node, "reader", 1, now + _timeout),
                ContractJson.Options),
            [ExtensionNames.TargetNode] = _local.Node,
            [ExtensionNames.WorkflowId] = part.WorkflowId,
        };
        if (part.Camera is { } camera)
        {
            command[ExtensionNames.Camera] = camera;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout + TimeSpan.FromSeconds(1));
        try
        {
            using var content = command.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
            using var response = await _http.PostAsync(_sink, content, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                throw new StateUnavailableException(sources[0], $"the StateSink of node '{_local.Node}' answered {(int)response.StatusCode}: {text}");
            }

            return await response.Content.ReadFromJsonAsync<StatePropagated>(ContractJson.Options, timeout.Token).ConfigureAwait(false)
                ?? throw new StateUnavailableException(sources[0], $"the StateSink of node '{_local.Node}' answered without a result.");
        }
        catch (Exception error) when (error is HttpRequestException or JsonException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new StateUnavailableException(sources[0], $"the StateSink of node '{_local.Node}' at {_sink} did not answer: {error.Message}", error);
        }
    }
}
