using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.State.Functions;

/// <summary>
/// Runs one function instance on one node: reads the delivered CloudEvent, calls the handler with a
/// <see cref="FunctionInvocation"/>, and answers with the reply event (200) or a problem (4xx/503) that says what went
/// wrong. Holds no per-request state, so one instance serves concurrent deliveries; several instances (one per node and
/// function) can live in one process.
/// </summary>
public sealed partial class FunctionRuntime
{
    private const int MaxDetailLength = 768;
    private static readonly CloudEventFormatter Formatter = RawDataJsonEventFormatter.Instance;

    private readonly ILogger _logger;

    /// <remarks>
    /// <paramref name="nodeStore"/> is this node's (unrestricted) store; the runtime derives the function's scoped view.
    /// <paramref name="canPull"/> says whether this node can fetch bundles from other nodes (a puller is registered).
    /// </remarks>
    public FunctionRuntime(
        FunctionOptions options,
        BundleStore nodeStore,
        IStateReader reader,
        StateReadMetrics metrics,
        bool canPull,
        TimeProvider timeProvider,
        ILogger<FunctionRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nodeStore);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (!string.Equals(options.Node, nodeStore.Node, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Function '{options.Function}' is configured for node '{options.Node}' but its state store is node '{nodeStore.Node}'.", nameof(options));
        }

        Options = options;
        Store = nodeStore.ForFunction(options.Function);
        Reader = reader;
        Metrics = metrics;
        CanPull = canPull;
        Time = timeProvider;
        _logger = logger;
    }

    public FunctionOptions Options { get; }

    public string Function => Options.Function;

    public string Node => Options.Node;

    /// <summary>Where this instance runs (see <see cref="FunctionOptions.HostNode"/>).</summary>
    public string HostNode => Options.HostNode;

    /// <summary>
    /// Where a read that the store answered really came from: with a central store on another node, "local" to the
    /// store is remote to the function.
    /// </summary>
    public StateReadSource Located(StateReadSource source) =>
        Options.StateIsRemote && source == StateReadSource.Local ? StateReadSource.Remote : source;

    /// <summary>This node's store, scoped to the bundles this function owns (reads are unrestricted).</summary>
    public BundleStore Store { get; }

    public IStateReader Reader { get; }

    public StateReadMetrics Metrics { get; }

    public bool CanPull { get; }

    public TimeProvider Time { get; }

    /// <summary>True when the bundle's holder (this node, or a node the puller reached) answered that it does not exist.</summary>
    public bool IsDefinitelyMissing(StateNotFoundException notFound)
    {
        ArgumentNullException.ThrowIfNull(notFound);
        return CanPull || string.Equals(notFound.StateRef.Node, Node, StringComparison.Ordinal);
    }

    /// <summary>Handles one delivery on <paramref name="context"/>; never throws except when the caller has gone away.</summary>
    public async Task InvokeAsync(HttpContext context, FunctionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        var cancellationToken = context.RequestAborted;
        var started = Time.GetTimestamp();
        if (!RequestBodyLimit.TryApply(context, Options.MaxEventBytes))
        {
            var problem = $"The event is {context.Request.ContentLength} bytes; at most {Options.MaxEventBytes} are accepted.";
            await RejectAsync(context, new FunctionFailure(StatusCodes.Status413PayloadTooLarge, "Bad request", problem, false), null).ConfigureAwait(false);
            return;
        }

        CloudEvent incoming;
        try
        {
            incoming = await context.Request.ReadCloudEventAsync(Formatter, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidCloudEventException e)
        {
            await RejectAsync(context, new FunctionFailure(StatusCodes.Status400BadRequest, "Not a CloudEvent", e.Message, false), null).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            await RejectAsync(context, new FunctionFailure(e.StatusCode, "Bad request", e.Message, false), null).ConfigureAwait(false);
            return;
        }

        using var span = FunctionTracing.StartHandling(Function, HostNode, incoming);
        CloudEvent reply;
        try
        {
            var invocation = new FunctionInvocation(this, incoming) { Span = span };
            var result = await handler(invocation, cancellationToken).ConfigureAwait(false);
            reply = BuildReply(incoming, invocation, result, Time.GetElapsedTime(started));
            CloudEventTracing.SetContext(reply, span, cause: incoming);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The broker gave up on this delivery; nobody is listening for an answer.
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "the delivery was abandoned");
            return;
        }
        catch (Exception error)
        {
            var failure = FunctionFailure.From(error, this);
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failure.Detail);
            span?.SetTag(CloudEventTracing.HttpStatusTag, failure.Status);
            await RejectAsync(context, failure, incoming, error).ConfigureAwait(false);
            return;
        }

        LogCompleted(Function, Node, incoming.Id, reply.Type, reply[ExtensionNames.StateKey], Time.GetElapsedTime(started).TotalMilliseconds);
        context.Response.StatusCode = StatusCodes.Status200OK;
        try
        {
            await reply.CopyToHttpResponseAsync(context.Response, ContentMode.Binary, Formatter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The broker hung up while we answered; it will redeliver, and the handlers tolerate that.
        }
    }

    private CloudEvent BuildReply(CloudEvent incoming, FunctionInvocation invocation, FunctionResult result, TimeSpan elapsed)
    {
        var report = new FunctionReport(
            Function,
            HostNode,
            invocation.WorkflowId,
            result.Output,
            invocation.Reads,
            invocation.Writes,
            Math.Round(elapsed.TotalMilliseconds, 3),
            result.Summary);
        var reply = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            // Derived from the delivery, so a redelivered event yields a reply with the same id (consumers can dedupe).
            Id = incoming.Id is { Length: <= 200 } id ? $"{Function}-{id}" : Guid.NewGuid().ToString("N"),
            Type = result.Type,
            Source = result.Source ?? Options.Source,
            Time = Time.GetUtcNow(),
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(report, ContractJson.Options),
        };
        reply[ExtensionNames.WorkflowId] = invocation.WorkflowId;
        reply[ExtensionNames.Function] = Function;
        reply[ExtensionNames.Node] = HostNode;
        reply[ExtensionNames.StateKey] = result.Output.ToString();
        reply[ExtensionNames.StateNode] = result.Output.Node;
        if (invocation.GetExtension(ExtensionNames.Camera) is { Length: > 0 } camera)
        {
            reply[ExtensionNames.Camera] = camera;
        }

        foreach (var (name, value) in result.Extensions)
        {
            reply[name] = value;
        }

        return reply;
    }

    private async Task RejectAsync(HttpContext context, FunctionFailure failure, CloudEvent? incoming, Exception? error = null)
    {
        if (failure.Unexpected)
        {
            LogUnexpected(error, Function, Node, incoming?.Id, incoming?.Type);
        }
        else
        {
            LogRejected(Function, Node, incoming?.Id, incoming?.Type, failure.Status, failure.Detail);
        }

        if (context.Response.HasStarted)
        {
            return;
        }

        // Knative keeps at most 1024 bytes of the body as knativeerrordata: keep the detail well inside that.
        var detail = failure.Detail.Length <= MaxDetailLength ? failure.Detail : string.Concat(failure.Detail.AsSpan(0, MaxDetailLength), "…");
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new FunctionProblem(failure.Title, failure.Status, detail, Function, Node, incoming?.Id),
            ContractJson.Options);
        context.Response.Clear();
        context.Response.StatusCode = failure.Status;
        context.Response.ContentType = "application/problem+json";
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is nobody to tell.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function} on {Node}: event {EventId} handled; replied {ReplyType} with {StateKey} in {DurationMs} ms")]
    private partial void LogCompleted(string function, string node, string? eventId, string? replyType, object? stateKey, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} on {Node}: event {EventId} ({EventType}) rejected with {Status}: {Detail}")]
    private partial void LogRejected(string function, string node, string? eventId, string? eventType, int status, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} on {Node}: event {EventId} ({EventType}) failed unexpectedly; answered 503 so it is retried")]
    private partial void LogUnexpected(Exception? error, string function, string node, string? eventId, string? eventType);
}

/// <summary>The body of an error answer (RFC 9457 problem details plus where it happened).</summary>
public sealed record FunctionProblem(string Title, int Status, string Detail, string Function, string Node, string? EventId);
