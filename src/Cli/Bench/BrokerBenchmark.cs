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
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Cli.Bench;

/// <summary>
/// Measures the embedded broker against the loopback ceiling, all in this process on 127.0.0.1: a bare Kestrel
/// endpoint that only answers 202; a minimal relay that answers 202 and forwards the request's body and <c>ce-</c>
/// headers to a subscriber (two HTTP exchanges per event and nothing else: the ceiling of any design that, like
/// Knative's, takes an event in over HTTP and delivers it over HTTP); the broker with 1 and 10 matching Triggers
/// delivering to an in-process Kestrel subscriber; and the broker with its durable journal on (a fresh journal in a
/// temporary folder). Same client, same concurrency, same events; a warm-up then N measured repetitions each.
/// </summary>
/// <remarks>
/// The bare endpoint, the relay, the 1-Trigger broker and the 1-Trigger broker with its journal give the headline
/// ratios, so they run side by side: all four started, each warmed, then their repetitions taken in turn (bare, relay,
/// broker, broker + journal, bare, …). Measured one after the other, the bare endpoint's median swung between 35k and
/// 66k events/s from run to run on this shared machine while the others held steady, and a block measured in a slow
/// spell decided the ratio.
/// </remarks>
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

        BenchmarkScenario bare;
        BenchmarkScenario relay;
        var broker = new List<BenchmarkScenario>();
        var durableJournal = options.JournalTriggerCounts.Contains(1) ? NewJournalDirectory(options) : null;
        try
        {
            await using var bareRun = await StartBareAsync(ct);
            await using var relayRun = await StartRelayAsync(options, ct);
            await using var oneTriggerRun = options.TriggerCounts.Contains(1) ? await StartBrokerAsync(1, options, journal: null, ct) : null;
            await using var durableRun = durableJournal is null ? null : await StartBrokerAsync(1, options, durableJournal, ct);
            List<RunningScenario> sideBySide = [bareRun, relayRun, .. new[] { oneTriggerRun, durableRun }.OfType<RunningScenario>()];
            foreach (var scenario in sideBySide)
            {
                await WarmUpAsync(scenario, client, payload, options, ct);
            }

            for (var rep = 1; rep <= options.Repetitions; rep++)
            {
                foreach (var scenario in sideBySide)
                {
                    await scenario.MeasureAsync(client, payload, rep, options.Events, options.Concurrency, ct);
                }
            }

            bare = bareRun.Result();
            relay = relayRun.Result();
            broker.AddRange(new[] { oneTriggerRun, durableRun }.OfType<RunningScenario>().Select(run => run.Result()));
        }
        finally
        {
            DeleteJournal(durableJournal);
        }

        foreach (var triggers in options.TriggerCounts.Where(t => t != 1))
        {
            await using var run = await StartBrokerAsync(triggers, options, journal: null, ct);
            broker.Add(await MeasureAloneAsync(run, client, payload, options, ct));
        }

        foreach (var triggers in options.JournalTriggerCounts.Where(t => t != 1))
        {
            var journal = NewJournalDirectory(options);
            try
            {
                await using var run = await StartBrokerAsync(triggers, options, journal, ct);
                broker.Add(await MeasureAloneAsync(run, client, payload, options, ct));
            }
            finally
            {
                DeleteJournal(journal);
            }
        }

        return new BrokerBenchmarkReport(started, clock.Elapsed, Machine(), options, bare, broker, relay);
    }

    private static string NewJournalDirectory(BrokerBenchmarkOptions options) =>
        Path.Combine(options.JournalDirectory ?? Path.GetTempPath(), "skylark-bench-journal-" + Guid.NewGuid().ToString("N"));

    private static void DeleteJournal(string? journal)
    {
        if (journal is not null && Directory.Exists(journal))
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    private static async Task<BenchmarkScenario> MeasureAloneAsync(RunningScenario run, HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        await WarmUpAsync(run, client, payload, options, ct);
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            await run.MeasureAsync(client, payload, rep, options.Events, options.Concurrency, ct);
        }

        return run.Result();
    }

    private static async Task<RunningScenario> StartBareAsync(CancellationToken ct)
    {
        var bare = await StartAsync(app => app.MapPost("/{ns}/{broker}", () => Results.StatusCode(StatusCodes.Status202Accepted)), ct);
        return new RunningScenario("bare Kestrel endpoint (202)", 0, journaled: false, new Uri(bare.Url, $"/{Namespace}/{BrokerName}"), probe: null, [bare]);
    }

    /// <summary>
    /// The two-hop ceiling: an endpoint that reads the body, queues it (bounded, 429 when full, like a Trigger queue)
    /// and answers 202, and as many workers as the broker has forwarding each event with its <c>ce-</c> headers to a
    /// subscriber. No CloudEvent is parsed, filtered or validated; no retry, reply or dead letter exists.
    /// </summary>
    private static async Task<RunningScenario> StartRelayAsync(BrokerBenchmarkOptions options, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        var subscriber = await StartAsync(app => app.MapPost("/t/0", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var queue = Channel.CreateBounded<RelayedEvent>(new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false });
        var relay = await StartAsync(app => app.MapPost("/{ns}/{broker}", async (HttpContext context) =>
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
        return new RunningScenario("minimal relay (2 HTTP hops)", 1, journaled: false, new Uri(relay.Url, $"/{Namespace}/{BrokerName}"), probe, [relay, forwarders, subscriber]);
    }

    private static async Task<RunningScenario> StartBrokerAsync(int triggers, BrokerBenchmarkOptions options, string? journal, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        var subscriber = await StartAsync(app => app.MapPost("/t/{n}", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var model = new EventingModel(
            [new BrokerResource(Meta(BrokerName), null, new ResourceOrigin("bench", 0))],
            [.. Enumerable.Range(0, triggers).Select(n => new TriggerResource(
                Meta($"t{n}"), BrokerName, null, [], new Destination(null, new Uri(subscriber.Url, $"/t/{n}")), null, new ResourceOrigin("bench", n + 1)))],
            []);

        var broker = await StartAsync(
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
        return new RunningScenario(name, triggers, journal is not null, new Uri(broker.Url, $"/{Namespace}/{BrokerName}"), probe, [broker, subscriber]);
    }

    /// <summary>
    /// Warm-up rounds of <see cref="BrokerBenchmarkOptions.WarmupEvents"/> until <see cref="BrokerBenchmarkOptions.WarmupDuration"/>
    /// has passed: tiered compilation (with dynamic PGO) needs time, not just calls, to finish compiling a hot path,
    /// and a fixed event count left the broker's larger path mid tier-up when repetitions were short.
    /// </summary>
    private static async Task WarmUpAsync(RunningScenario scenario, HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            await scenario.SendAsync(client, payload, 0, options.WarmupEvents, options.Concurrency, ct);
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

    /// <summary>
    /// One scenario's running apps and the repetitions measured so far. With a probe, a repetition lasts until every
    /// expected delivery reached the subscriber; without one (the bare endpoint), until every request was answered.
    /// </summary>
    private sealed class RunningScenario(string name, int triggers, bool journaled, Uri target, DeliveryProbe? probe, IReadOnlyList<IAsyncDisposable> resources)
        : IAsyncDisposable
    {
        private readonly List<BenchmarkRepetition> repetitions = [];

        public async Task<SendResult> SendAsync(HttpClient client, byte[] payload, int rep, int events, int concurrency, CancellationToken ct)
        {
            probe?.Reset(rep, events, triggers);
            var sent = await SendAllAsync(client, target, payload, rep, events, concurrency, probe, ct);
            if (probe is not null)
            {
                await probe.Completed.WaitAsync(TimeSpan.FromMinutes(2), ct);
            }

            return sent;
        }

        public async Task MeasureAsync(HttpClient client, byte[] payload, int rep, int events, int concurrency, CancellationToken ct)
        {
            var sent = await SendAsync(client, payload, rep, events, concurrency, ct);
            var requests = Percentiles(sent.RoundTrips);
            if (probe is null)
            {
                repetitions.Add(new BenchmarkRepetition(
                    events, 0, sent.Elapsed, events / sent.Elapsed.TotalSeconds, requests.P50, requests.P99, requests.P50, requests.P99, sent.Throttled));
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(sent.StartedAt, probe.LastDeliveryAt);
            var latency = Percentiles(probe.Latencies);
            repetitions.Add(new BenchmarkRepetition(
                events, events * triggers, elapsed, events / elapsed.TotalSeconds, latency.P50, latency.P99, requests.P50, requests.P99, sent.Throttled));
        }

        public BenchmarkScenario Result() => new(name, triggers, [.. repetitions], journaled);

        public async ValueTask DisposeAsync()
        {
            foreach (var resource in resources)
            {
                await resource.DisposeAsync();
            }
        }
    }

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
