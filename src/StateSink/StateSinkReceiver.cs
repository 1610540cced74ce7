using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.StateSink.Sync;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// The sink's CloudEvents endpoint (<c>POST /</c>), as a Trigger subscriber:
/// <c>io.skylark.state.propagate</c> is answered with an <c>io.skylark.state.propagated</c> reply event (binary mode,
/// 200) for success and failure alike; <c>dev.knative.sources.ping</c> runs the periodic sync and is answered without
/// an event (200, or 202 when a sync was still running). Anything else is a 400 with the reason. With sender identity
/// on (<see cref="StateSinkSenderCheck"/>) a request without a valid token for this sink is answered 401 and an event
/// no EventPolicy admits from its sender 403, both in plain text and without a propagated reply: the sender is not
/// one a reply could be trusted to.
/// </summary>
public sealed partial class StateSinkReceiver
{
    private readonly BundlePropagator _propagator;
    private readonly StateSync _sync;
    private readonly SinkTopology _topology;
    private readonly StateSinkMetrics _metrics;
    private readonly StateSinkOptions _options;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly PropagateSenderKey _senderKey;
    private readonly StateSinkSenderCheck? _senders;
    private readonly ILogger<StateSinkReceiver> _logger;

    public StateSinkReceiver(
        BundlePropagator propagator,
        StateSync sync,
        SinkTopology topology,
        StateSinkMetrics metrics,
        StateSinkOptions options,
        TimeProvider timeProvider,
        ILogger<StateSinkReceiver> logger,
        PropagateSenderKey senderKey,
        IHostApplicationLifetime? lifetime = null,
        StateSinkSenderCheck? senders = null)
    {
        _propagator = propagator ?? throw new ArgumentNullException(nameof(propagator));
        _sync = sync ?? throw new ArgumentNullException(nameof(sync));
        _topology = topology ?? throw new ArgumentNullException(nameof(topology));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _senderKey = senderKey ?? throw new ArgumentNullException(nameof(senderKey));
        _lifetime = lifetime;
        _senders = senders;
    }

    public string Node => _topology.Node;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Before the body: an unknown sender gets nothing read on its behalf.
        var sender = _senders is null ? null : await _senders.AuthenticateAsync(context).ConfigureAwait(false);
        if (sender is { IsAuthenticated: false })
        {
            await sender.WriteProblemAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (sender is { Subject: { } verified })
        {
            PropagateSenders.SetAuthenticatedSubject(context, verified);
        }

        if (!RequestBodyLimit.TryApply(context, _options.MaxRequestBodyBytes))
        {
            await RefuseUnreadableAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body of {context.Request.ContentLength} bytes is too large").ConfigureAwait(false);
            return;
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = await context.Request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidCloudEventException error)
        {
            await PeerEndpoints.TextAsync(context, StatusCodes.Status400BadRequest, error.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException error)
        {
            await RefuseUnreadableAsync(context, error.StatusCode, error.Message).ConfigureAwait(false);
            return;
        }

        if (sender is { Subject: { } subject } && _senders!.Refusal(subject, cloudEvent) is { } refusal)
        {
            await PeerEndpoints.TextAsync(context, StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
            return;
        }

        switch (cloudEvent.Type)
        {
            case EventTypes.StatePropagate:
                var reply = await PropagateAsync(cloudEvent, context, context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status200OK;
                await reply.CopyToHttpResponseAsync(context.Response, ContentMode.Binary, RawDataJsonEventFormatter.Instance, context.RequestAborted).ConfigureAwait(false);
                break;
            case EventTypes.Ping:
                // The sync is not tied to the ping's HTTP request: a delivery timeout must not cut an eviction short.
                var summary = await _sync.TryRunAsync(_lifetime?.ApplicationStopping ?? CancellationToken.None).ConfigureAwait(false);
                context.Response.StatusCode = summary is null ? StatusCodes.Status202Accepted : StatusCodes.Status200OK;
                break;
            default:
                await PeerEndpoints.TextAsync(
                    context,
                    StatusCodes.Status400BadRequest,
                    $"This StateSink handles {EventTypes.StatePropagate} and {EventTypes.Ping}, not '{cloudEvent.Type}'.").ConfigureAwait(false);
                break;
        }
    }

    private async Task RefuseUnreadableAsync(HttpContext context, int status, string problem)
    {
        if (!IsBinaryPropagate(context.Request))
        {
            await PeerEndpoints.TextAsync(context, status, problem).ConfigureAwait(false);
            return;
        }

        // A binary-mode command carries its attributes in headers, so even one too large to read gets its failure outcome.
        var command = new PropagateCommand([], "", Node, null, null, null, HttpUtilities.DecodeHeaderValue(context.Request.Headers["ce-" + ExtensionNames.WorkflowId].ToString()), null);
        var reason = $"the command could not be read ({problem}); at most {_options.MaxRequestBodyBytes} bytes are accepted";
        LogRejected(context.Request.Headers["ce-id"].ToString(), reason);
        _metrics.RecordPropagation(PropagationOutcomes.Failed);
        context.Response.StatusCode = StatusCodes.Status200OK;
        await Reply(command, PropagationResult.Rejected(reason))
            .CopyToHttpResponseAsync(context.Response, ContentMode.Binary, RawDataJsonEventFormatter.Instance, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Validates and runs a propagate command; returns the <c>io.skylark.state.propagated</c> reply. Never throws for bad input.</summary>
    public Task<CloudEvent> PropagateAsync(CloudEvent command, CancellationToken cancellationToken) =>
        PropagateAsync(command, context: null, cancellationToken);

    private async Task<CloudEvent> PropagateAsync(CloudEvent command, HttpContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        NetworkTopology? topology = null;
        string? topologyProblem = null;
        try
        {
            topology = await _topology.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TopologyValidationException error)
        {
            topologyProblem = error.Message;
        }

        var read = PropagateCommand.Read(command, Node, topology, _options.MaxBundlesPerPropagate, topologyProblem);
        using var span = StateSinkTracing.StartPull(command, read, Node);
        PropagationResult result;
        if (!read.IsValid)
        {
            LogRejected(command.Id, read.Error!);
            result = PropagationResult.Rejected(read.Error!);
        }
        else
        {
            result = await _propagator.PropagateAsync(read.Bundles, read.Deadline, read.AwaitWrite, _senderKey(command, context), cancellationToken).ConfigureAwait(false);
        }

        _metrics.RecordPropagation(result.Outcome);
        StateSinkTracing.Ended(span, result);
        var reply = Reply(read, result);
        CloudEventTracing.SetContext(reply, span, cause: command);
        return reply;
    }

    private static bool IsBinaryPropagate(HttpRequest request) =>
        request.Headers["ce-type"].ToString() == EventTypes.StatePropagate;

    private CloudEvent Reply(PropagateCommand command, PropagationResult result)
    {
        var data = new StatePropagated(
            command.Bundles,
            command.From,
            command.To,
            result.Bytes,
            Math.Round(result.Duration.TotalMilliseconds, 3),
            result.Outcome,
            result.Error);
        var reply = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.StatePropagated,
            Source = EventSources.StateSink(Node),
            Time = _time.GetUtcNow(),
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToUtf8Bytes(data, ContractJson.Options),
        };
        if (command.WorkflowId is { Length: > 0 } workflowId)
        {
            reply[ExtensionNames.WorkflowId] = workflowId;
        }

        reply[ExtensionNames.Node] = Node;
        return reply;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Propagate command {EventId} refused: {Reason}")]
    private partial void LogRejected(string? eventId, string reason);
}
