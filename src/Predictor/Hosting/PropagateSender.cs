using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Options;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Predictor.Planning;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// POSTs propagate commands to the broker ingress as binary-mode CloudEvents. One completion may yield several
/// commands and a Knative reply carries only one event, hence the ingress rather than the reply. Propagation is
/// advisory: a failed send is counted and logged, not retried (by the time a retry lands the state may be needed).
/// </summary>
public sealed partial class PropagateSender
{
    public const string HttpClientName = "skylark-predictor";

    private readonly IHttpClientFactory _clients;
    private readonly PredictorOptions _options;
    private readonly PredictorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PropagateSender(IHttpClientFactory clients, IOptions<PredictorOptions> options, PredictorMetrics metrics, TimeProvider time, ILogger<PropagateSender> logger)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>The CloudEvent of a command (docs/contracts.md, <c>io.skylark.state.propagate</c>).</summary>
    public static CloudEvent ToCloudEvent(PropagateCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = command.Id,
            Type = EventTypes.StatePropagate,
            Source = EventSources.Predictor,
            Time = now,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToUtf8Bytes(command.Data, ContractJson.Options),
        };
        cloudEvent[ExtensionNames.TargetNode] = command.TargetNode;
        cloudEvent[ExtensionNames.WorkflowId] = command.WorkflowId;
        if (command.Camera is { } camera)
        {
            cloudEvent[ExtensionNames.Camera] = camera;
        }
        return cloudEvent;
    }

    /// <returns>True when the ingress accepted the command.</returns>
    public Task<bool> SendAsync(PropagateCommand command, CancellationToken cancellationToken) =>
        SendAsync(command, decision: null, cause: null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="command"/> in the trace of <paramref name="decision"/>, or without one (not traced, or not
    /// recorded) in that of the event that caused it, <paramref name="cause"/>.
    /// </summary>
    /// <returns>True when the ingress accepted the command.</returns>
    public async Task<bool> SendAsync(PropagateCommand command, System.Diagnostics.Activity? decision, CloudEvent? cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_options.BrokerUrl is not { } url)
        {
            LogNoBroker(command.Id, command.TargetNode);
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            var cloudEvent = ToCloudEvent(command, _time.GetUtcNow());
            CloudEventTracing.SetContext(cloudEvent, decision, cause);
            using var content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
            using var response = await _clients.CreateClient(HttpClientName).PostAsync(url, content, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                _metrics.Sent(command.Bytes);
                return true;
            }

            LogRefused(command.Id, command.TargetNode, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUndelivered(e, command.Id, command.TargetNode);
        }

        _metrics.SendFailed();
        return false;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "No broker URL configured: propagate {CommandId} to {TargetNode} not sent")]
    private partial void LogNoBroker(string commandId, string targetNode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker ingress refused propagate {CommandId} to {TargetNode} with {Status}")]
    private partial void LogRefused(string commandId, string targetNode, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Propagate {CommandId} to {TargetNode} could not be delivered to the broker ingress")]
    private partial void LogUndelivered(Exception error, string commandId, string targetNode);
}
