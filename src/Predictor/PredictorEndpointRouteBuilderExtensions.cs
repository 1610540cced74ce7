using CloudNative.CloudEvents.SystemTextJson;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Hosting;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Hosting;
using Skylark.Events.Predictor.Metrics;

namespace Skylark.Events.Predictor;

public static class PredictorEndpointRouteBuilderExtensions
{
    /// <summary>Largest completion accepted; a function's report is a few KiB.</summary>
    public const long MaxEventBytes = 1024 * 1024;

    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>
    /// Maps <c>POST {pattern}</c>, the Trigger subscriber: a completion is validated and queued, answered 202 at
    /// once (400 with the reason when it is not a usable completion, 503 when the queue is full so the broker
    /// retries), and decided on in the background. Also maps <c>GET /status</c> (JSON <see cref="PredictorMetricsSnapshot"/>)
    /// and the service contract's <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapPredictor(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(pattern, AcceptAsync);
        endpoints.MapGet("/status", (PredictorMetrics metrics) => Results.Json(metrics.Snapshot()));
        endpoints.MapServiceEndpoints();
        return endpoints;
    }

    private static async Task AcceptAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var metrics = services.GetRequiredService<PredictorMetrics>();
        if (!RequestBodyLimit.TryApply(context, MaxEventBytes))
        {
            metrics.Rejected();
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The event may be at most {MaxEventBytes} bytes.").ConfigureAwait(false);
            return;
        }

        Completion completion;
        try
        {
            var cloudEvent = await context.Request.ReadCloudEventAsync(Formatter, context.RequestAborted).ConfigureAwait(false);
            completion = CompletionReader.Read(cloudEvent, services.GetRequiredService<TimeProvider>().GetUtcNow());
        }
        catch (Exception e) when (e is InvalidCloudEventException or InvalidCompletionException)
        {
            metrics.Rejected();
            await WriteAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            metrics.Rejected();
            await WriteAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }

        if (!services.GetRequiredService<CompletionQueue>().TryEnqueue(completion))
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The Predictor is busy or stopping; retry later.").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }
}
