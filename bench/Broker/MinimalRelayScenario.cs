using System.Threading.Channels;

namespace Skylark.Events.Benchmarks.Broker;

internal static class MinimalRelayScenario
{
    /// <summary>
    /// The two-hop ceiling: an endpoint that reads the body, queues it (bounded, 429 when full, like a Trigger queue)
    /// and answers 202, and as many workers as the broker has forwarding each event with its <c>ce-</c> headers to a
    /// subscriber. No CloudEvent is parsed, filtered or validated; no retry, reply or dead letter exists.
    /// </summary>
    public static async Task<RunningScenario> StartAsync(BrokerBenchmarkOptions options, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        var subscriber = await ScenarioDriver.StartAsync(app => app.MapPost("/t/0", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var queue = Channel.CreateBounded<RelayedEvent>(new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false });
        var relay = await ScenarioDriver.StartAsync(app => app.MapPost("/{ns}/{broker}", async (HttpContext context) =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers
                .Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
                .Select(h => KeyValuePair.Create(h.Key, h.Value.ToString()))
                .ToArray();
            return queue.Writer.TryWrite(new RelayedEvent(body.ToArray(), context.Request.ContentType, headers))
                ? Results.StatusCode(StatusCodes.Status202Accepted)
                : Results.StatusCode(StatusCodes.Status429TooManyRequests);
        }), ct);

        var forwarders = new RelayForwarders(queue, new Uri(subscriber.Url, "/t/0"), options.WorkersPerTrigger ?? options.Concurrency);

        // Disposed in this order: the relay stops taking events, its workers stop, then the subscriber goes.
        return new RunningScenario("minimal relay (2 HTTP hops)", 1, journaled: false, new Uri(relay.Url, $"/{ScenarioDriver.Namespace}/{ScenarioDriver.BrokerName}"), probe, [relay, forwarders, subscriber]);
    }

    private sealed record RelayedEvent(byte[] Body, string? ContentType, KeyValuePair<string, string>[] Headers);

    /// <summary>The relay's workers: each takes a queued event and POSTs it, with its headers, to the subscriber.</summary>
    private sealed class RelayForwarders : IAsyncDisposable
    {
        private readonly Channel<RelayedEvent> queue;
        private readonly HttpClient forwarder = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromMinutes(1),
        };

        private readonly CancellationTokenSource stop = new();
        private readonly List<Task> workers;

        public RelayForwarders(Channel<RelayedEvent> queue, Uri target, int workers)
        {
            this.queue = queue;
            this.workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Run(() => ForwardAsync(target, stop.Token), CancellationToken.None))];
        }

        public async ValueTask DisposeAsync()
        {
            queue.Writer.TryComplete();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            stop.Dispose();
            forwarder.Dispose();
        }

        private async Task ForwardAsync(Uri target, CancellationToken ct)
        {
            try
            {
                await foreach (var relayed in queue.Reader.ReadAllAsync(ct))
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(relayed.Body) };
                    if (relayed.ContentType is { } contentType)
                    {
                        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    }

                    foreach (var (name, value) in relayed.Headers)
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    using var response = await forwarder.SendAsync(request, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The scenario is over.
            }
        }
    }
}
