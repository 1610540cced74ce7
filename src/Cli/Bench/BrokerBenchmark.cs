using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Broker.Resources;

namespace Skylark.Events.Cli.Bench;

/// <summary>
/// Measures the embedded broker against the loopback ceiling, all in this process on 127.0.0.1: a bare Kestrel
/// endpoint that only answers 202; a minimal relay that answers 202 and forwards the request's body and <c>ce-</c>
/// headers to a subscriber (two HTTP exchanges per event and nothing else: the ceiling of any design that, like
/// Knative's, takes an event in over HTTP and delivers it over HTTP); then the broker with 1 and 10 matching Triggers
/// delivering to an in-process Kestrel subscriber, then the broker with its durable journal on (a fresh journal in a
/// temporary folder). Same client, same concurrency, same events; a warm-up then N measured repetitions each.
/// </summary>
public static class BrokerBenchmark
{
    private const string Namespace = "bench";
    private const string BrokerName = "default";

    public static async Task<BrokerBenchmarkReport> RunAsync(BrokerBenchmarkOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var payload = Payload(options.PayloadBytes);

        using var client = CreateClient(options.Concurrency);
        var bare = await MeasureBareAsync(client, payload, options, ct);
        var relay = await MeasureRelayAsync(client, payload, options, ct);
        var broker = new List<BenchmarkScenario>();
        foreach (var triggers in options.TriggerCounts)
        {
            broker.Add(await MeasureBrokerAsync(client, payload, triggers, options, journal: null, ct));
        }

        foreach (var triggers in options.JournalTriggerCounts)
        {
            var journal = Path.Combine(options.JournalDirectory ?? Path.GetTempPath(), "skylark-bench-journal-" + Guid.NewGuid().ToString("N"));
            try
            {
                broker.Add(await MeasureBrokerAsync(client, payload, triggers, options, journal, ct));
            }
            finally
            {
                if (Directory.Exists(journal))
                {
                    Directory.Delete(journal, recursive: true);
                }
            }
        }

        return new BrokerBenchmarkReport(started, clock.Elapsed, Machine(), options, bare, broker, relay);
    }

    private static async Task<BenchmarkScenario> MeasureBareAsync(HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        await using var bare = await StartAsync(app => app.MapPost("/{ns}/{broker}", () => Results.StatusCode(StatusCodes.Status202Accepted)), ct);
        var target = new Uri(bare.Url, $"/{Namespace}/{BrokerName}");
        await WarmUpAsync(() => SendAllAsync(client, target, payload, 0, options.WarmupEvents, options.Concurrency, probe: null, ct), options);
        var repetitions = new List<BenchmarkRepetition>();
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            var events = options.Events;
            var sent = await SendAllAsync(client, target, payload, rep, events, options.Concurrency, probe: null, ct);
            var requests = Percentiles(sent.RoundTrips);
            repetitions.Add(new BenchmarkRepetition(
                events, 0, sent.Elapsed, events / sent.Elapsed.TotalSeconds, requests.P50, requests.P99, requests.P50, requests.P99, sent.Throttled));
        }

        return new BenchmarkScenario("bare Kestrel endpoint (202)", 0, repetitions);
    }

    /// <summary>
    /// The two-hop ceiling: an endpoint that reads the body, queues it (bounded, 429 when full, like a Trigger queue)
    /// and answers 202, and as many workers as the broker has forwarding each event with its <c>ce-</c> headers to a
    /// subscriber. No CloudEvent is parsed, filtered or validated; no retry, reply or dead letter exists.
    /// </summary>
    private static async Task<BenchmarkScenario> MeasureRelayAsync(HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        await using var subscriber = await StartAsync(app => app.MapPost("/t/0", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var queue = Channel.CreateBounded<RelayedEvent>(new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false });
        await using var relay = await StartAsync(app => app.MapPost("/{ns}/{broker}", async (HttpContext context) =>
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

        var target = new Uri(subscriber.Url, "/t/0");
        using var forwarder = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromMinutes(1),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, options.WorkersPerTrigger ?? options.Concurrency)
            .Select(_ => Task.Run(() => ForwardAsync(queue.Reader, forwarder, target, stop.Token), CancellationToken.None))
            .ToList();
        try
        {
            return await MeasureDeliveredAsync("minimal relay (2 HTTP hops)", 1, client, new Uri(relay.Url, $"/{Namespace}/{BrokerName}"), payload, probe, options, journaled: false, ct);
        }
        finally
        {
            queue.Writer.TryComplete();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }
    }

    private static async Task ForwardAsync(ChannelReader<RelayedEvent> queue, HttpClient forwarder, Uri target, CancellationToken ct)
    {
        try
        {
            await foreach (var relayed in queue.ReadAllAsync(ct))
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

    private static async Task<BenchmarkScenario> MeasureBrokerAsync(HttpClient client, byte[] payload, int triggers, BrokerBenchmarkOptions options, string? journal, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        await using var subscriber = await StartAsync(app => app.MapPost("/t/{n}", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var model = new EventingModel(
            [new BrokerResource(Meta(BrokerName), null, new ResourceOrigin("bench", 0))],
            [.. Enumerable.Range(0, triggers).Select(n => new TriggerResource(
                Meta($"t{n}"), BrokerName, null, [], new Destination(null, new Uri(subscriber.Url, $"/t/{n}")), null, new ResourceOrigin("bench", n + 1)))],
            []);

        await using var broker = await StartAsync(
            app => app.MapBroker(),
            ct,
            services => services.AddBroker(o =>
            {
                o.Model = model;
                o.WorkersPerTrigger = options.WorkersPerTrigger ?? options.Concurrency;
                o.ShutdownDrainTimeout = TimeSpan.FromSeconds(5);
                o.Journal = journal is null ? null : new JournalOptions { Directory = journal };
            }));

        var name = journal is null ? $"broker, {triggers} trigger(s)" : $"broker + journal, {triggers} trigger(s)";
        return await MeasureDeliveredAsync(name, triggers, client, new Uri(broker.Url, $"/{Namespace}/{BrokerName}"), payload, probe, options, journal is not null, ct);
    }

    /// <summary>Warm-up, then repetitions each counted until every expected delivery reached the subscriber.</summary>
    private static async Task<BenchmarkScenario> MeasureDeliveredAsync(
        string name, int triggers, HttpClient client, Uri target, byte[] payload, DeliveryProbe probe, BrokerBenchmarkOptions options, bool journaled, CancellationToken ct)
    {
        await WarmUpAsync(
            async () =>
            {
                probe.Reset(0, options.WarmupEvents, triggers);
                var sent = await SendAllAsync(client, target, payload, 0, options.WarmupEvents, options.Concurrency, probe, ct);
                await probe.Completed.WaitAsync(TimeSpan.FromMinutes(2), ct);
                return sent;
            },
            options);
        var repetitions = new List<BenchmarkRepetition>();
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            var events = options.Events;
            probe.Reset(rep, events, triggers);
            var sent = await SendAllAsync(client, target, payload, rep, events, options.Concurrency, probe, ct);
            await probe.Completed.WaitAsync(TimeSpan.FromMinutes(2), ct);
            var elapsed = Stopwatch.GetElapsedTime(sent.StartedAt, probe.LastDeliveryAt);
            var latency = Percentiles(probe.Latencies);
            var requests = Percentiles(sent.RoundTrips);
            repetitions.Add(new BenchmarkRepetition(
                events, events * triggers, elapsed, events / elapsed.TotalSeconds, latency.P50, latency.P99, requests.P50, requests.P99, sent.Throttled));
        }

        return new BenchmarkScenario(name, triggers, repetitions, journaled);
    }

    /// <summary>
    /// Warm-up rounds of <see cref="BrokerBenchmarkOptions.WarmupEvents"/> until <see cref="BrokerBenchmarkOptions.WarmupDuration"/>
    /// has passed: tiered compilation (with dynamic PGO) needs time, not just calls, to finish compiling a hot path,
    /// and a fixed event count left the broker's larger path mid tier-up when repetitions were short.
    /// </summary>
    private static async Task WarmUpAsync(Func<Task<SendResult>> round, BrokerBenchmarkOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            await round();
        }
        while (Stopwatch.GetElapsedTime(started) < options.WarmupDuration);
    }

    private static async Task<SendResult> SendAllAsync(
        HttpClient client, Uri target, byte[] payload, int rep, int events, int concurrency, DeliveryProbe? probe, CancellationToken ct)
    {
        var roundTrips = new long[events];
        var next = -1;
        var throttled = 0;
        var startedAt = Stopwatch.GetTimestamp();

        async Task SenderAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{rep}.{i}");
                var begin = Stopwatch.GetTimestamp();
                probe?.OnSending(i, begin);
                var backoff = 1;
                while (true)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(payload) };
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                    request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
                    request.Headers.TryAddWithoutValidation("ce-id", id);
                    request.Headers.TryAddWithoutValidation("ce-type", "io.skylark.bench");
                    request.Headers.TryAddWithoutValidation("ce-source", "/bench");
                    using var response = await client.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        break;
                    }

                    if (response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        throw new InvalidOperationException($"{target} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                    }

                    // A full Trigger queue: back off (1, 2, 4 … 32 ms), as a producer honouring 429 would.
                    Interlocked.Increment(ref throttled);
                    await Task.Delay(backoff, ct);
                    backoff = Math.Min(backoff * 2, 32);
                }

                roundTrips[i] = Stopwatch.GetTimestamp() - begin;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(SenderAsync, ct)));
        return new SendResult(startedAt, Stopwatch.GetElapsedTime(startedAt), roundTrips, throttled);
    }

    private static (double P50, double P99) Percentiles(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var sorted = (long[])ticks.Clone();
        Array.Sort(sorted);
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
        return (At(0.50), At(0.99));
    }

    private static HttpClient CreateClient(int concurrency) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromMinutes(1),
        };

    private static async Task<RunningApp> StartAsync(Action<WebApplication> map, CancellationToken ct, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        map(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningApp(app, new Uri(address));
    }

    private static byte[] Payload(int bytes)
    {
        // A JSON string of the requested size: {"d":"xxxx…"}.
        var filler = Math.Max(0, bytes - 8);
        return System.Text.Encoding.UTF8.GetBytes("{\"d\":\"" + new string('x', filler) + "\"}");
    }

    private static ResourceMeta Meta(string name) => new(name, Namespace, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static BenchmarkMachine Machine() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC,
#if DEBUG
        "Debug");
#else
        "Release");
#endif

    private sealed record SendResult(long StartedAt, TimeSpan Elapsed, long[] RoundTrips, int Throttled);

    private sealed record RelayedEvent(byte[] Body, string? ContentType, KeyValuePair<string, string>[] Headers);

    private sealed class RunningApp(WebApplication app, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Matches subscriber arrivals to send times by event id (<c>rep.index</c>).</summary>
    private sealed class DeliveryProbe
    {
        private long[] sentAt = [];
        private int rep;
        private int expected;
        private int delivered;
        private int recorded;
        private TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long[] Latencies { get; private set; } = [];

        public long LastDeliveryAt { get; private set; }

        public Task Completed => completed.Task;

        public void Reset(int repetition, int events, int triggers)
        {
            rep = repetition;
            sentAt = new long[events];
            Latencies = new long[events * triggers];
            expected = events * triggers;
            delivered = 0;
            recorded = 0;
            completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void OnSending(int index, long timestamp) => Volatile.Write(ref sentAt[index], timestamp);

        public void OnDelivered(string id)
        {
            var now = Stopwatch.GetTimestamp();
            var dot = id.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0
                || !int.TryParse(id.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var r) || r != rep
                || !int.TryParse(id.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return;
            }

            var slot = Interlocked.Increment(ref delivered) - 1;
            if (slot >= expected)
            {
                return;
            }

            Latencies[slot] = now - Volatile.Read(ref sentAt[index]);
            if (Interlocked.Increment(ref recorded) == expected)
            {
                LastDeliveryAt = now;
                completed.TrySetResult();
            }
        }
    }
}
