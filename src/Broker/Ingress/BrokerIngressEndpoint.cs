using Microsoft.Extensions.Options;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Broker.Dispatch;

namespace Skylark.Events.Broker.Ingress;

/// <summary>
/// <c>/{namespace}/{broker}</c> as Knative's broker ingress answers it: POST a CloudEvent (binary or structured,
/// 1.0 or 0.3) → 202; OPTIONS → 200 with the CloudEvents webhook headers; any other method → 405.
/// Refusals carry a plain-text reason. With sender identity on, a POST needs a bearer token for the Broker's audience
/// (401 otherwise, before the body is read) and an EventPolicy admitting its subject and the event (403 otherwise).
/// </summary>
internal sealed partial class BrokerIngressEndpoint(
    BrokerTopology topology,
    BrokerIngress ingress,
    IngressSenderCheck senders,
    BrokerMetrics metrics,
    TimeProvider timeProvider,
    IOptions<BrokerOptions> options,
    ILogger<BrokerIngressEndpoint> logger)
{
    public const string Allow = "POST, OPTIONS";

    private readonly long maxEventBytes = options.Value.MaxEventBytes;

    public async Task HandleAsync(HttpContext context, string @namespace, string brokerName)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.Allow = Allow;

        if (HttpMethods.IsOptions(request.Method))
        {
            // CloudEvents HTTP webhook abuse protection: any origin, any rate.
            response.Headers["WebHook-Allowed-Origin"] = "*";
            response.Headers["WebHook-Allowed-Rate"] = "*";
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await RefuseAsync(response, StatusCodes.Status405MethodNotAllowed, $"Method {request.Method} is not allowed; use POST (or OPTIONS).");
            return;
        }

        if (!topology.TryGet(@namespace, brokerName, out var broker))
        {
            await RefuseAsync(response, StatusCodes.Status404NotFound, $"Broker {@namespace}/{brokerName} does not exist.");
            return;
        }

        var started = timeProvider.GetTimestamp();
        await IngestAsync(context, broker);
        metrics.Ingested(@namespace, brokerName, response.StatusCode, timeProvider.GetElapsedTime(started));
    }

    private async Task IngestAsync(HttpContext context, BrokerRoute broker)
    {
        var request = context.Request;
        var response = context.Response;

        // Before the body: an unknown sender gets nothing read on its behalf.
        var sender = await senders.AuthenticateAsync(context, broker);
        if (sender is { IsAuthenticated: false })
        {
            metrics.OnRejected();
            await sender.WriteProblemAsync(response, context.RequestAborted);
            return;
        }

        if (!RequestBodyLimit.TryApply(context, maxEventBytes))
        {
            await RefuseAsync(response, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return;
        }

        CloudNative.CloudEvents.CloudEvent cloudEvent;
        try
        {
            cloudEvent = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted);
        }
        catch (InvalidCloudEventException e)
        {
            LogInvalid(broker.Name, e.Message);
            await RefuseAsync(response, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(response, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return;
        }

        if (sender is { Subject: { } subject } && senders.Refusal(broker, subject, cloudEvent) is { } refusal)
        {
            await RefuseAsync(response, StatusCodes.Status403Forbidden, refusal);
            return;
        }

        var carriedTtl = BrokerTtl.Take(cloudEvent);
        var result = await ingress.IngestAsync(broker, cloudEvent, carriedTtl, fromProducer: true);
        if (result.Status == IngressStatus.Accepted)
        {
            response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        // Ingest already counted this refusal.
        await WriteTextAsync(response, result.HttpStatus, result.Message);
    }

    private string TooLarge() => $"The event is larger than the broker's limit of {maxEventBytes} bytes.";

    private Task RefuseAsync(HttpResponse response, int statusCode, string message)
    {
        metrics.OnRejected();
        return WriteTextAsync(response, statusCode, message);
    }

    private static Task WriteTextAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(message + "\n");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused an invalid event at broker {Broker}: {Reason}")]
    private partial void LogInvalid(string broker, string reason);
}
